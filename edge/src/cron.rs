//! The scheduled reconcile. For now it records that it ran, so health and
//! operators can see the trigger fires; later work re-reads WeCom here.

use crate::clock::now_secs;
use worker::{console_error, Env};

pub async fn run(env: &Env) {
    let Ok(kv) = env.kv("KV") else {
        console_error!("cron: KV binding missing");
        return;
    };
    match kv.put("cron:last_run", now_secs().to_string()) {
        Ok(put) => {
            if let Err(e) = put.execute().await {
                console_error!("cron: KV write failed: {e:?}");
            }
        }
        Err(e) => console_error!("cron: KV write failed: {e:?}"),
    }
}

//! WeCom simulator: serves the part of WeCom's server API that wecom-seats
//! calls and pushes signed callbacks to the worker, for local runs and tests.
//!
//! `sim --listen 127.0.0.1:9101 --worker http://127.0.0.1:8787 [--state FILE]`
//! Configuration comes from the same variables as the worker (`SUITE_ID`,
//! `SUITE_SECRET`, `SUITE_TOKEN`, `SUITE_ENCODING_AES_KEY`, ...).

mod config;
mod control;
mod demo;
mod http;
mod jobs;
mod licenses;
mod push;
mod range;
mod router;
mod sim;
mod sso;
mod state;
mod wecom;
mod wire;

use std::sync::Arc;

/// Requests the simulator answers at once. A push to the worker holds
/// its thread until the worker answers (as the request that made the
/// change waits for it), so this also caps the pushes in flight: WeCom
/// pushes an organisation's changes with no such cap, and at 8 threads
/// the simulator, not the worker, set the pace of `make bench`'s storm.
const REQUEST_THREADS: usize = 32;

fn main() {
    let config = match config::Config::from_args_and_env(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sim: {e}");
            std::process::exit(2);
        }
    };
    let server = match listen(&config.listen) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("sim: cannot listen on {}: {e}", config.listen);
            std::process::exit(1);
        }
    };
    eprintln!("sim: WeCom simulator listening on http://{}", config.listen);
    let app = Arc::new(sim::Sim::new(config));
    spawn_suite_ticket_loop(Arc::clone(&app));
    let workers: Vec<_> = (0..REQUEST_THREADS)
        .map(|_| {
            let server = Arc::clone(&server);
            let app = Arc::clone(&app);
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    http::serve(request, |req| router::handle(&app, req));
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}

/// WeCom pushes a suite_ticket every 10 minutes. At start the worker may not
/// be up yet, so the first one is retried until it lands.
fn spawn_suite_ticket_loop(sim: Arc<sim::Sim>) {
    std::thread::spawn(move || loop {
        let delivery = push::suite_ticket(&sim);
        let wait = if delivery.success {
            600
        } else {
            eprintln!(
                "sim: suite_ticket not accepted yet ({} {}), retrying",
                delivery.status,
                delivery.body.trim()
            );
            2
        };
        std::thread::sleep(std::time::Duration::from_secs(wait));
    });
}

/// A listener whose connections send at once (TCP_NODELAY, inherited by
/// accepted sockets): tiny_http writes head and body separately, and with
/// Nagle's algorithm each answer would wait ~40 ms for a delayed ACK.
fn listen(addr: &str) -> Result<tiny_http::Server, Box<dyn std::error::Error + Send + Sync>> {
    use std::net::ToSocketAddrs;
    let addr = addr
        .to_socket_addrs()?
        .next()
        .ok_or("no address to listen on")?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )?;
    socket.set_reuse_address(true)?;
    socket.set_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    tiny_http::Server::from_listener(std::net::TcpListener::from(socket), None)
}

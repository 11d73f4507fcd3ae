//! Request and response bodies of the `/api/v1` surface, shared by `edge`
//! (which writes them) and `app` (which reads them), so the two cannot drift.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub d1: bool,
    pub kv: bool,
    pub version: String,
}

/// Every error answer: `{"error": {"code", "message"}}` (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// `POST /auth/dev-login` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevLogin {
    pub corp_id: String,
    pub userid: String,
}

/// `GET /api/v1/session`: who the console is signed in as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub corp_id: String,
    pub userid: String,
    pub expires_at: u64,
}

/// `GET /api/v1/corps/{corp_id}`: the organisation the session manages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Corp {
    pub corp_id: String,
    pub corp_name: String,
    pub installed_at: u64,
    pub first_installed_at: u64,
}

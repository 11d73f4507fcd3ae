//! One counter the seat cards share: an action that went through bumps it,
//! every card whose resource reads it fetches again, so numbers never
//! disagree after a change. And the wait before reading again.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Refresh(RwSignal<u32>);

pub fn provide_refresh() {
    provide_context(Refresh(RwSignal::new(0)));
}

pub fn use_refresh() -> Refresh {
    expect_context::<Refresh>()
}

impl Refresh {
    /// Read inside a fetcher to fetch again after every change.
    pub fn track(self) {
        self.0.track();
    }

    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }

    /// Passes a call's answer through, bumping when it succeeded: a change
    /// that went through refreshes every card, a failed call none.
    pub fn after_ok<T, E>(self, answer: Result<T, E>) -> Result<T, E> {
        if answer.is_ok() {
            self.bump();
        }
        answer
    }
}

/// A promise-based sleep, without pulling in a timer crate.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

//! Runs uploads in the order they were added, several at once. Processing within them is
//! limited by the photo worker pool (one per core, up to `process::MAX_WORKERS`), so a batch
//! keeps every core busy while finished photos are already on their way to the store.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{UploadItem, UploadState, run};

/// How many files are in flight at once (processing, waiting for a worker, or sending).
pub const PARALLEL: usize = 6;

#[derive(Clone)]
pub struct Queue {
    product_id: i64,
    waiting: Rc<RefCell<VecDeque<UploadItem>>>,
    running: Rc<Cell<usize>>,
    on_registered: Rc<dyn Fn()>,
}

impl Queue {
    pub fn new(product_id: i64, on_registered: impl Fn() + 'static) -> Self {
        Self {
            product_id,
            waiting: Rc::default(),
            running: Rc::default(),
            on_registered: Rc::new(on_registered),
        }
    }

    pub fn push(&self, items: Vec<UploadItem>) {
        self.waiting.borrow_mut().extend(items);
        self.pump();
    }

    fn pump(&self) {
        while self.running.get() < PARALLEL {
            let Some(item) = self.waiting.borrow_mut().pop_front() else {
                return;
            };
            if item.state.get_untracked() != UploadState::Queued {
                continue; // cancelled while waiting
            }
            self.running.set(self.running.get() + 1);
            let queue = self.clone();
            spawn_local(async move {
                if run::run(queue.product_id, item).await {
                    (queue.on_registered)();
                }
                queue.running.set(queue.running.get() - 1);
                queue.pump();
            });
        }
    }
}

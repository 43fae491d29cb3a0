//! Runs uploads in the order they were added, as many at once as the photo workers can
//! process (one per core, up to `process::MAX_WORKERS`), so a batch uses every core.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{UploadItem, UploadState, direct_upload, process};

/// How many files are processed and sent at once.
pub const PARALLEL: usize = process::MAX_WORKERS;

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
                if direct_upload::run(queue.product_id, &item).await {
                    (queue.on_registered)();
                }
                queue.running.set(queue.running.get() - 1);
                queue.pump();
            });
        }
    }
}

//! A product's uploads in this tab: their rows, and the queue that runs them. They belong to
//! the tab, not to the product page: a seller who opens another page mid-batch leaves them
//! running and finds their rows as they are on coming back. So in the browser every desk and
//! every row's signals live under an owner of the tab's own, never disposed with a page. (A
//! page's owner is disposed when the seller leaves it, and an upload that then read one of its
//! signals would panic and stop the app's WebAssembly.) Closing the tab while photos are on
//! their way asks first.

use leptos::prelude::*;

use super::item::UploadItem;
#[cfg(feature = "hydrate")]
use super::item::UploadState;
#[cfg(feature = "hydrate")]
use super::{journal, queue::Queue};

#[derive(Clone, Copy)]
pub struct Desk {
    pub items: RwSignal<Vec<UploadItem>>,
    /// How many photos came back from an earlier page.
    pub resumed: RwSignal<usize>,
    /// Bumped after each registered upload, so the gallery reloads.
    pub registered: RwSignal<u32>,
    #[cfg(feature = "hydrate")]
    product_id: i64,
    /// Row keys are never reused: a photo chosen again gets a new key, so its row is drawn
    /// anew instead of inheriting the row (and state) of the one it replaces.
    #[cfg(feature = "hydrate")]
    next_key: StoredValue<usize>,
    #[cfg(feature = "hydrate")]
    queue: StoredValue<Queue, LocalStorage>,
}

/// The desk of `product_id`'s uploads. On the server, an empty one for the page's render.
#[cfg(not(feature = "hydrate"))]
pub fn desk(_product_id: i64) -> Desk {
    Desk {
        items: RwSignal::new(Vec::new()),
        resumed: RwSignal::new(0),
        registered: RwSignal::new(0),
    }
}

/// The desk of `product_id`'s uploads in this tab: made, and its photos left unfinished by an
/// earlier page resumed, the first time the product is opened.
#[cfg(feature = "hydrate")]
pub fn desk(product_id: i64) -> Desk {
    tab::DESKS.with(|desks| {
        if let Some(desk) = desks.borrow().get(&product_id) {
            return *desk;
        }
        let desk = tab::in_tab(|| Desk::new(product_id));
        desks.borrow_mut().insert(product_id, desk);
        tab::ask_before_closing();
        desk.resume_unfinished();
        desk
    })
}

#[cfg(feature = "hydrate")]
impl Desk {
    fn new(product_id: i64) -> Self {
        let registered = RwSignal::new(0u32);
        Desk {
            items: RwSignal::new(Vec::new()),
            resumed: RwSignal::new(0),
            registered,
            product_id,
            next_key: StoredValue::new(0),
            queue: StoredValue::new_local(Queue::new(product_id, move || {
                registered.update(|n| *n += 1)
            })),
        }
    }

    fn take_keys(&self, n: usize) -> usize {
        let start = self.next_key.get_value();
        self.next_key.set_value(start + n);
        start
    }

    /// Rows for newly chosen files, journaled and queued.
    pub fn add(&self, files: Vec<gloo_file::File>) {
        if files.is_empty() {
            return;
        }
        journal::ask_to_persist();
        // A photo chosen again replaces its row that could not be resumed.
        let names: Vec<String> = files.iter().map(gloo_file::File::name).collect();
        for item in self.items.get_untracked() {
            if item.state.get_untracked() == UploadState::Unreadable
                && names.contains(&item.name.get_value())
            {
                self.dismiss(item);
            }
        }
        let start = self.take_keys(files.len());
        let product_id = self.product_id;
        let added: Vec<UploadItem> = tab::in_tab(|| {
            files
                .into_iter()
                .enumerate()
                .map(|(i, file)| UploadItem::new(start + i, product_id, file))
                .collect()
        });
        self.items.update(|list| list.extend(added.iter().copied()));
        self.enqueue(added);
    }

    /// Each photo is journaled before it is queued, so a reload at any moment finds it.
    fn enqueue(&self, added: Vec<UploadItem>) {
        let queue = self.queue;
        leptos::task::spawn_local(async move {
            for item in added {
                item.journal().await;
                queue.with_value(|q| q.push(vec![item]));
            }
        });
    }

    pub fn retry(&self, item: UploadItem) {
        item.reset();
        self.enqueue(vec![item]);
    }

    /// Takes a row off the panel and its photo out of the journal.
    pub fn dismiss(&self, item: UploadItem) {
        self.items.update(|list| list.retain(|i| i.key != item.key));
        leptos::task::spawn_local(async move { item.forget().await });
    }

    fn resume_unfinished(self) {
        leptos::task::spawn_local(async move {
            match journal::unfinished(self.product_id, js_sys::Date::now()).await {
                Ok(kept) if !kept.is_empty() => {
                    let start = self.take_keys(kept.len());
                    let back: Vec<UploadItem> = tab::in_tab(|| {
                        kept.into_iter()
                            .enumerate()
                            .map(|(i, k)| UploadItem::resumed(start + i, k))
                            .collect()
                    });
                    self.resumed.set(back.len());
                    // Before any newly chosen photo: they were chosen first.
                    self.items.update(|list| {
                        let mut all = back.clone();
                        all.append(list);
                        *list = all;
                    });
                    self.queue.with_value(|q| q.push(back));
                }
                Ok(_) => {}
                Err(err) => leptos::logging::warn!("Unfinished uploads cannot be resumed: {err}"),
            }
        });
    }

    /// Photos still on their way to the store or being checked.
    fn in_flight(&self) -> bool {
        self.items.with_untracked(|list| {
            list.iter().any(|i| {
                let state = i.state.get_untracked();
                state.is_active() || state == UploadState::Verifying
            })
        })
    }
}

#[cfg(feature = "hydrate")]
mod tab {
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    use leptos::prelude::*;

    use super::Desk;

    thread_local! {
        pub(super) static DESKS: RefCell<HashMap<i64, Desk>> = RefCell::default();
        static OWNER: Owner = Owner::new_root(None);
        static ASKING: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `make` with the tab's owner, so what it creates outlives every page.
    pub(super) fn in_tab<T>(make: impl FnOnce() -> T) -> T {
        OWNER.with(|owner| owner.with(make))
    }

    /// While any photo is on its way, closing or reloading the tab asks first. (A reload
    /// resumes them, but a closed tab resumes only if the seller comes back to the product.)
    pub(super) fn ask_before_closing() {
        if ASKING.replace(true) {
            return;
        }
        let handle = window_event_listener(leptos::ev::beforeunload, |ev| {
            let busy = DESKS.with(|desks| desks.borrow().values().any(Desk::in_flight));
            if busy {
                ev.prevent_default();
                ev.set_return_value("Photos are still uploading.");
            }
        });
        // For the tab's life.
        std::mem::forget(handle);
    }
}

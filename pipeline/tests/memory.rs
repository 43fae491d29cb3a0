//! Peak memory, counted by a global allocator: phones run out of memory on 24 MP photos
//! (browser-image-compression #116), and a decompression bomb must be refused before its
//! frame is allocated. A test binary of its own, so the counter sees nothing else.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use pipeline::{PipelineError, UPLOAD_VARIANTS, VariantSpec, process};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The tests run one at a time: each measures its own peak.
static SERIAL: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MB: usize = 1024 * 1024;

fn corpus(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/corpus")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Peak bytes allocated while `f` runs, above what was allocated before.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}

#[test]
fn a_24_megapixel_photo_stays_well_under_256_mb() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let input = corpus("photos/phone-24mp-orient6-gps.jpg");
    let specs: Vec<VariantSpec> = UPLOAD_VARIANTS.iter().map(|(_, s)| *s).collect();
    let (out, peak) = peak_during(|| process(&input, &specs));
    assert_eq!(out.expect("processes").len(), 3);
    // The full RGB frame alone would be 72 MB; decoding at half scale keeps a quarter of it.
    assert!(peak < 128 * MB, "peak {} MB", peak / MB);
}

#[test]
fn a_decompression_bomb_is_refused_before_its_frame_is_allocated() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let input = corpus("bad/bomb-30000x30000.png");
    let (out, peak) = peak_during(|| process(&input, &[VariantSpec { max_side: 2048 }]));
    assert_eq!(
        out,
        Err(PipelineError::TooLarge {
            width: 30_000,
            height: 30_000
        })
    );
    // Its frame would be 2.7 GB.
    assert!(peak < 2 * MB, "peak {} KB", peak / 1024);
}

use std::process::ExitCode;

/// jemalloc rather than glibc's malloc: under 200 sessions glibc spent a sixth of the server's
/// time in malloc, free and their arena upkeep. Its background thread also returns freed
/// memory to the system a second after it is freed (Argon2's 19 MiB per password hash, a burst
/// of requests), even when no request comes to trigger it.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read at its start: dirty pages go back to the system after 1 s (10 s by
/// default), at once as far as Linux is concerned (no lazy "muzzy" stage).
#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8] = b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

fn main() -> ExitCode {
    server::cli::main()
}

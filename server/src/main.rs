use std::process::ExitCode;

fn main() -> ExitCode {
    return_big_blocks_to_the_system();
    server::cli::main()
}

/// glibc raises its mmap threshold to the size of each large block freed, so after the first
/// password hash (Argon2 takes a 19 MiB block) every later one comes from a thread's arena and
/// stays there once freed: 50 sign-ups at once left a server at 700-900 MB. A fixed threshold
/// keeps such blocks mmapped, and freeing one gives it back to the system.
fn return_big_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 1024 * 1024;
        // SAFETY: mallopt only sets an allocator parameter; it runs before any thread starts.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
        }
    }
}

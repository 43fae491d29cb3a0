//! Runs the pipeline on one file: `cargo run -p pipeline --example shrink -- IN OUT.jpg`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: shrink IN OUT.jpg");
        std::process::exit(2);
    };
    let bytes = std::fs::read(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let start = std::time::Instant::now();
    match pipeline::process(&bytes, &[pipeline::VariantSpec { max_side: 2048 }]) {
        Ok(out) => {
            let r = &out[0];
            println!(
                "{}x{} {} bytes in {:?}",
                r.width,
                r.height,
                r.bytes.len(),
                start.elapsed()
            );
            std::fs::write(output, &r.bytes).unwrap_or_else(|e| panic!("{output}: {e}"));
        }
        Err(e) => {
            eprintln!("refused: {e}");
            std::process::exit(1);
        }
    }
}

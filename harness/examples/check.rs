fn main() {
    for a in std::env::args().skip(1) {
        match afc::scenario::load(std::path::Path::new(&a)) {
            Ok(s) => println!("{} ok: {} steps", s.name, s.steps.len()),
            Err(e) => print!("{e}"),
        }
    }
}

//! How much of a value the CLI echoes: error lines and warnings show at most a few dozen
//! characters of what the user gave (a 200 MB string in a baseline must not be printed whole).

/// At most `max` characters of `text`, with `…` when it was cut.
pub fn shown(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_short_ones_kept() {
        assert_eq!(shown("vpc-1", 40), "vpc-1");
        assert_eq!(shown("abcdef", 3), "abc…");
        assert_eq!(shown("ééé", 3), "ééé", "counted in characters, not bytes");
    }
}

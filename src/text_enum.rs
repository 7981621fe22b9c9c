//! Closed sets of values stored as text (segment, stage, level …): one declaration gives the Rust enum,
//! its stored code, its catalog key, the list of all values and a parser with a translated error.

/// `text_enum!(Segment, "employer.segment_invalid", { Corporate = "corporate" => "segment.corporate", … })`
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $error:literal, { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code, as the schema's check constraint lists it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The catalog key of the value's name for people.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, &'static str> {
                match raw.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($error),
                }
            }

            /// For values read back from the database, whose check constraint already holds.
            pub fn from_db(code: &str) -> Self {
                Self::parse(code).unwrap_or($name::ALL[0])
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

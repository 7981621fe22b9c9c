//! Closed sets of values stored as text (segment, stage, level …): one declaration gives the Rust enum,
//! its stored code, its catalog key, the list of all values, a parser with a translated error, and
//! the conversions that let rows, forms and templates carry the type instead of its code:
//! sqlx decodes the column into it (and refuses a code this version does not know), serde reads and
//! writes it as its code.

/// What every closed set offers, so generic code (a select's options, a value's label) needs no
/// per-type function pointers.
pub trait TextEnum: Copy + PartialEq + 'static {
    /// Every value, in the order people see them offered.
    fn all() -> &'static [Self];
    /// The stored code, as the schema's check constraint lists it.
    fn code(self) -> &'static str;
    /// The catalog key of the value's name for people.
    fn label(self) -> &'static str;
}

/// `text_enum!(Segment, "employer.segment_invalid", { Corporate = "corporate" => "segment.corporate", … })`
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $error:literal, { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code: what SQL binds and form values carry.
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
        }

        impl $crate::text_enum::TextEnum for $name {
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn code(self) -> &'static str {
                self.as_str()
            }
            fn label(self) -> &'static str {
                self.label_key()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::parse(&code).map_err(|_| {
                    <D::Error as serde::de::Error>::unknown_variant(&code, &[$($code),+])
                })
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }
            fn array_compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::postgres::PgHasArrayType>::array_compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Postgres> for $name {
            fn decode(
                value: sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let code = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                // The check constraint keeps unknown codes out; one that gets in anyway is an error,
                // not a silent default.
                $name::parse(code).map_err(|_| {
                    format!(concat!("unknown ", stringify!($name), " code {:?}"), code).into()
                })
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }
    };
}

/// The codes of several values, for binding a `text[]` column.
pub fn codes<T: TextEnum>(values: &[T]) -> Vec<String> {
    values.iter().map(|v| v.code().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::TextEnum;

    crate::text_enum!(Colour, "colour.invalid", {
        Red = "red" => "colour.red",
        Blue = "blue" => "colour.blue",
    });

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Ok(*c));
            assert_eq!(c.code(), c.as_str());
        }
        assert_eq!(Colour::parse(" blue "), Ok(Colour::Blue));
        assert_eq!(Colour::parse("green"), Err("colour.invalid"));
        assert_eq!(serde_json::to_value(Colour::Red).unwrap(), "red");
        assert_eq!(
            serde_json::from_str::<Colour>("\"blue\"").unwrap(),
            Colour::Blue
        );
        assert!(serde_json::from_str::<Colour>("\"green\"").is_err());
        assert_eq!(super::codes(&[Colour::Blue, Colour::Red]), ["blue", "red"]);
    }
}

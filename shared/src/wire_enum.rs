//! `wire_enum!`: a unit enum whose variants each name their wire spelling once.
//!
//! Phases, roles, locations, error codes … are spelled on the wire (JSON), in exports, in
//! CSS classes and in translation keys. Writing the spelling once, next to the variant, and
//! deriving serde's name, [`as_str`](crate::Phase::as_str) and `ALL` from it means no copy
//! can drift. Each type's unit test still checks `serde_json::to_value(v) == as_str()`.

/// Defines the enum with `Serialize`/`Deserialize` (each variant renamed to its wire name),
/// plus `ALL` (every variant, in declaration order), `as_str()`, `from_wire()`, `Display`
/// (the wire name) and `PartialEq<&str>` (compares the wire name, handy for JSON checks).
///
/// ```ignore
/// wire_enum! {
///     #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
///     pub enum Location {
///         Room => "room",
///         Remote => "remote",
///     }
/// }
/// ```
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $wire:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize)]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $wire)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($wire),+].len()] = [$($name::$variant),+];

            /// The name on the wire (what serde writes).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The value whose wire name is exactly `s`.
            pub fn from_wire(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        // Read through one function shared by every such enum (see `read`), not serde's
        // derive, which compiles a reader per enum.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const NAMES: &[&str] = &[$($wire),+];
                let i = $crate::wire_enum::read(d, NAMES)?;
                Self::ALL
                    .get(i)
                    .copied()
                    .ok_or_else(|| serde::de::Error::custom("wire name out of range"))
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

pub(crate) use wire_enum;

/// Reads a wire name and returns its index in `names`. One copy per input format, shared by
/// every `wire_enum!` type: serde's derived reader is a separate function per enum (fifteen
/// of them: 18 KB of the console's WebAssembly). Errors read as the derive's do ("unknown
/// variant `moon`, expected one of `room`, `remote`"): the server tells an unknown value from
/// a malformed frame by that message (`wire::shape_or_value`). Only the string form is read;
/// the derive also took serde's map form (`{"room": null}`), which nothing writes.
pub fn read<'de, D: serde::Deserializer<'de>>(
    d: D,
    names: &'static [&'static str],
) -> Result<usize, D::Error> {
    d.deserialize_str(Name(names))
}

struct Name(&'static [&'static str]);

impl<'de> serde::de::Visitor<'de> for Name {
    type Value = usize;

    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        f.write_str("variant identifier")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|n| *n == s)
            .ok_or_else(|| E::unknown_variant(s, self.0))
    }
}

/// For each type's unit test: every value serializes to its `as_str()`, parses back from
/// it, and the names are distinct.
#[cfg(test)]
pub(crate) fn check_wire_names<T>(all: &[T], as_str: impl Fn(&T) -> &'static str)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug,
{
    let mut seen = std::collections::BTreeSet::new();
    for v in all {
        let name = as_str(v);
        assert_eq!(
            serde_json::to_value(v).expect("serializes"),
            serde_json::Value::String(name.to_owned()),
            "{v:?}"
        );
        let back: T = serde_json::from_value(serde_json::Value::String(name.to_owned()))
            .expect("parses back");
        assert_eq!(&back, v);
        assert!(seen.insert(name), "{name} twice");
    }
}

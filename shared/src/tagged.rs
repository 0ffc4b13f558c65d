//! Internally tagged enums (`{"type": "idea_posted", …}`) read without serde's buffering.
//!
//! serde's derive reads an internally tagged enum by first copying the whole object into its
//! private `Content` tree (the tag may come anywhere) and then reading the variant out of that
//! copy. In the browser that doubles the parsing work and, worse for a phone on a weak link,
//! compiles a second deserializer for every type inside an event or a snapshot: measured,
//! the `Content` path was a quarter of the WebAssembly bundle.
//!
//! serde writes the tag first, so this reads the first key: when it is the tag, the variant
//! is read straight from the input, its fields from the same map. Otherwise (a document
//! written by hand, a `serde_json::Value` with sorted keys) the server buffers the object as
//! JSON values, writes it again with the tag first and reads it that way, so the answer, and
//! every error message, are the ones the derive would give. The browser refuses such an
//! object instead: it reads only what serde wrote. The wire is unchanged: serialization is
//! serde's own derive. (The derive also read an array with the tag first, `["timer_changed",
//! …]`; nothing writes that, and it is refused here.)
//!
//! [`tagged_enum!`] declares such an enum once; it derives `Serialize` with the tag and reads
//! it through an externally tagged twin that serde derives with `remote`, so the twin builds
//! the real enum's variants directly and cannot drift from it. Attributes in brackets before
//! a variant's name (`[cfg_attr(…)] LinkIssued {…}`) go to the twin alone: that is how a
//! variant the browser never receives is left out of its reader.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, VariantAccess,
    Visitor,
};
use std::fmt;
use std::marker::PhantomData;

/// An enum that can be read in serde's externally tagged form (`{"variant": {fields}}`);
/// implemented by [`tagged_enum!`] through its `remote` twin.
pub(crate) trait Untagged: Sized {
    fn deserialize_untagged<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// Reads `T` from an object whose tag key is `tag`.
pub(crate) fn deserialize<'de, D, T>(d: D, tag: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Untagged + DeserializeOwned,
{
    d.deserialize_map(TagFirst {
        tag,
        out: PhantomData,
    })
}

struct TagFirst<T> {
    tag: &'static str,
    out: PhantomData<T>,
}

impl<'de, T: Untagged + DeserializeOwned> Visitor<'de> for TagFirst<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object with a \"{}\" field", self.tag)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Err(de::Error::missing_field(self.tag));
        };
        if first == self.tag {
            return T::deserialize_untagged(Variant { map });
        }
        // The browser reads only what the server and the browser itself wrote (serde: tag
        // first), so it goes without the buffered path and its `serde_json::Value` reader:
        // 6 KB less gzip on every first load.
        #[cfg(target_arch = "wasm32")]
        {
            Err(de::Error::custom(format_args!(
                "\"{}\" must be the first field",
                self.tag
            )))
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.buffered(first, map)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<T: DeserializeOwned> TagFirst<T> {
    /// The tag is elsewhere (a document written by hand): buffer, put the tag first, read
    /// again, so the answer and every error are those of the fast path.
    fn buffered<'de, A: MapAccess<'de>>(self, first: String, mut map: A) -> Result<T, A::Error> {
        let mut rest = vec![(first, map.next_value::<serde_json::Value>()?)];
        let mut variant = None;
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<serde_json::Value>()?;
            if key == self.tag && variant.is_none() {
                variant = Some(value);
            } else {
                rest.push((key, value));
            }
        }
        let Some(variant) = variant else {
            return Err(de::Error::missing_field(self.tag));
        };
        let mut text = format!("{{{}:{}", json(self.tag), json(&variant));
        for (key, value) in &rest {
            text.push(',');
            text.push_str(&json(key));
            text.push(':');
            text.push_str(&json(value));
        }
        text.push('}');
        serde_json::from_str(&text).map_err(de::Error::custom)
    }
}

/// JSON text of a key or a buffered value (serializing these cannot fail).
#[cfg(not(target_arch = "wasm32"))]
fn json<S: serde::Serialize + ?Sized>(v: &S) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The rest of a map whose next value is the tag: an externally tagged enum to serde.
struct Variant<A> {
    map: A,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Variant<A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, A::Error> {
        Err(de::Error::custom("expected an enum"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for Variant<A> {
    type Error = A::Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        mut self,
        seed: S,
    ) -> Result<(S::Value, Self), A::Error> {
        // The tag's value names the variant; serde's own identifier reads it, so an unknown
        // one is refused with the usual "unknown variant" message.
        let v = self.map.next_value_seed(seed)?;
        Ok((v, self))
    }
}

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;

    /// A unit variant (`{"state": "idle"}`); other fields are ignored, as serde does.
    fn unit_variant(mut self) -> Result<(), A::Error> {
        while self
            .map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _: S) -> Result<S::Value, A::Error> {
        Err(de::Error::custom(
            "newtype variants cannot be internally tagged here",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, A::Error> {
        Err(de::Error::custom(
            "tuple variants cannot be internally tagged",
        ))
    }

    /// The variant's fields are the rest of the same map.
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.map)
    }
}

/// Declares an internally tagged enum (tag first on the wire, `snake_case` variant names;
/// `remote` is the enum's own name, which serde's attribute needs as a string)
/// read by [`deserialize`](crate::tagged::deserialize) without serde's buffering. Variants
/// are unit or struct variants; field attributes (`serde`, `serde_as`, docs) apply to both
/// directions. Put `#[serde_as]` among the enum's attributes when a field uses it.
macro_rules! tagged_enum {
    (
        tag = $tag:literal, remote = $remote:literal;
        $(#[$enum_meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $([$($twin_meta:meta),*])?
                $variant:ident $({
                    $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$enum_meta])*
        #[derive(serde::Serialize)]
        #[serde(tag = $tag, rename_all = "snake_case")]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant $({ $( $(#[$field_meta])* $field : $ty ),* })?
            ),*
        }

        const _: () = {
            /// The externally tagged twin; serde builds `$name`'s variants from it.
            #[serde_with::serde_as]
            #[derive(serde::Deserialize)]
            #[serde(remote = $remote, rename_all = "snake_case")]
            #[allow(dead_code)]
            enum Twin {
                $(
                    $($(#[$twin_meta])*)?
                    $variant $({ $( $(#[$field_meta])* $field : $ty ),* })?
                ),*
            }

            impl $crate::tagged::Untagged for $name {
                fn deserialize_untagged<'de, D: serde::Deserializer<'de>>(
                    d: D,
                ) -> Result<Self, D::Error> {
                    Twin::deserialize(d)
                }
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    $crate::tagged::deserialize(d, $tag)
                }
            }
        };
    };
}
pub(crate) use tagged_enum;

#[cfg(test)]
mod tests {
    use crate::{Event, PersonId, ServerFrame, Timer};
    use serde_json::json;

    fn hand_raised() -> ServerFrame {
        ServerFrame::Event {
            seq: 7,
            at: 1_000,
            event: Event::HandRaised {
                person: PersonId(3),
                at: 990,
            },
        }
    }

    #[test]
    fn the_wire_is_unchanged_and_reads_back() {
        let frame = hand_raised();
        let text = serde_json::to_string(&frame).expect("json");
        assert_eq!(
            text,
            r#"{"type":"event","seq":7,"at":1000,"event":{"type":"hand_raised","person":3,"at":990}}"#
        );
        assert_eq!(
            serde_json::from_str::<ServerFrame>(&text).expect("read"),
            frame
        );
        assert_eq!(
            serde_json::from_str::<Timer>(r#"{"state":"running","ends_at":5,"duration_ms":9}"#)
                .expect("timer"),
            Timer::Running {
                ends_at: 5,
                duration_ms: 9
            }
        );
    }

    #[test]
    fn a_tag_anywhere_else_reads_the_same() {
        let text = r#"{"seq":7,"event":{"at":990,"person":3,"type":"hand_raised"},"type":"event","at":1000}"#;
        assert_eq!(
            serde_json::from_str::<ServerFrame>(text).expect("read"),
            hand_raised()
        );
        // A `Value` hands out its keys sorted, so "type" is rarely first there.
        let value = json!({"type": "event", "seq": 7, "at": 1000,
            "event": {"type": "hand_raised", "person": 3, "at": 990}});
        assert_eq!(
            serde_json::from_value::<ServerFrame>(value).expect("value"),
            hand_raised()
        );
        assert_eq!(
            serde_json::from_value::<Timer>(
                json!({"duration_ms": 1, "state": "paused", "remaining_ms": 2})
            )
            .expect("timer"),
            Timer::Paused {
                remaining_ms: 2,
                duration_ms: 1
            }
        );
    }

    #[test]
    fn a_unit_variant_ignores_other_fields_like_serde() {
        for text in [
            r#"{"state":"idle"}"#,
            r#"{"state":"idle","x":[1,{"y":2}]}"#,
            r#"{"x":1,"state":"idle"}"#,
        ] {
            assert_eq!(
                serde_json::from_str::<Timer>(text).expect(text),
                Timer::Idle
            );
        }
    }

    #[test]
    fn errors_are_serdes_own() {
        let err = |t: &str| serde_json::from_str::<Event>(t).expect_err(t).to_string();
        assert!(err(r#"{"type":"fly"}"#).starts_with("unknown variant `fly`, expected one of"));
        assert!(err(r#"{"person":1,"type":"fly"}"#).contains("unknown variant `fly`"));
        assert!(err(r#"{"person":1}"#).starts_with("missing field `type`"));
        assert!(err("{}").starts_with("missing field `type`"));
        assert!(err(r#"{"type":"hand_raised","person":1}"#).starts_with("missing field `at`"));
        assert!(err(r#"{"type":"hand_raised","person":"x","at":1}"#).starts_with("invalid type"));
        assert!(err(r#"["hand_raised"]"#).starts_with("invalid type: sequence"));
        // Nested: the event inside a frame.
        let e = serde_json::from_str::<ServerFrame>(
            r#"{"type":"event","seq":1,"at":1,"event":{"type":"nope"}}"#,
        )
        .expect_err("bad event")
        .to_string();
        assert!(e.starts_with("unknown variant `nope`"), "{e}");
    }
}

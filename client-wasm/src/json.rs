//! Reading JSON in the browser: `serde_json`, with every struct read as an object only.
//!
//! serde's derive gives each struct two readers: one for an object and one for an array of
//! its fields in order (`[1, "x", …]`), because a format may write structs that way.
//! serde_json's `deserialize_struct` accepts both, so both are compiled into the bundle for
//! every struct the app reads. Nothing on this wire writes a struct as an array (the server
//! and the app both write objects, `docs/protocol.md`), so the app reads through this thin
//! layer that asks serde_json for a *map* wherever a struct is wanted: the array reader of
//! every struct is then never called and the linker drops it (measured in BENCHMARKS.md).
//! Everything else is passed straight to serde_json, and so are its errors.
//!
//! The layer has to wrap what it hands on (visitors, map and sequence readers, enum
//! variants), since each nested value is read through them; each wrapper only forwards and
//! is inlined away.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::fmt;

/// Reads `T` from JSON text, structs as objects only (see the module's note).
pub fn from_str<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(Objects(&mut de))?;
    de.end()?;
    Ok(value)
}

/// A deserializer that reads structs as maps.
struct Objects<D>(D);

/// Methods whose visitor can only receive a scalar: passed on untouched.
macro_rules! scalar {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.$method(v)
        }
    )*};
}

/// Methods whose visitor may receive a nested reader: passed on with the visitor wrapped.
macro_rules! nested {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
            self.0.$method(Wrap(v))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Objects<D> {
    type Error = D::Error;

    scalar! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_identifier deserialize_ignored_any
    }
    nested! { deserialize_any deserialize_option deserialize_seq deserialize_map }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, Wrap(v))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap(v))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap(v))
    }

    /// The point of this layer: a struct is read as a map, never as a sequence.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Wrap(v))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, Wrap(v))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A visitor whose nested readers are wrapped in turn.
struct Wrap<V>(V);

macro_rules! visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, x: $ty) -> Result<V::Value, E> {
            self.0.$method(x)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }

    visit! {
        visit_bool(bool) visit_i64(i64) visit_i128(i128) visit_u64(u64) visit_u128(u128)
        visit_f64(f64) visit_char(char) visit_str(&str) visit_borrowed_str(&'de str)
        visit_string(String) visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8])
        visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(Objects(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_newtype_struct(Objects(d))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(Wrap(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(Wrap(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.0.visit_enum(Wrap(data))
    }
}

/// A seed whose deserializer is wrapped.
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Objects(d))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        k: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(k))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, v: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(Seed(v))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<A> {
    type Error = A::Error;
    type Variant = Wrap<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.0.variant_seed(Seed(seed))?;
        Ok((value, Wrap(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap(v))
    }

    /// serde_json would read a struct variant as an array too; read it as the variant's
    /// value, through `Objects`, which asks for a map.
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, A::Error> {
        self.0.newtype_variant_seed(StructSeed { fields, v })
    }
}

/// Reads a struct variant's fields as a map.
struct StructSeed<V> {
    fields: &'static [&'static str],
    v: V,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for StructSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        Objects(d).deserialize_struct("", self.fields, self.v)
    }
}

#[cfg(test)]
mod tests {
    use super::from_str;
    use cafe_shared::api::ApiErrorBody;
    use cafe_shared::{ErrorCode, Event, Phase, ServerFrame};

    /// Reads `text` both ways and checks the two agree.
    fn same<T>(text: &str) -> T
    where
        T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let ours: T = from_str(text).expect("reads");
        let theirs: T = serde_json::from_str(text).expect("serde_json reads");
        assert_eq!(ours, theirs);
        ours
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let body: ApiErrorBody = same(r#"{"code":"not_found","message":"no such café"}"#);
        assert_eq!(body.code, ErrorCode::NotFound);
        let frame =
            r#"{"type":"event","seq":3,"at":5,"event":{"type":"phase_changed","phase":"vote"}}"#;
        assert!(matches!(
            same::<ServerFrame>(frame),
            ServerFrame::Event {
                event: Event::PhaseChanged { phase: Phase::Vote },
                ..
            }
        ));
        let ack: ServerFrame = same(r#"{"type":"ack","id":"c1","seq":9}"#);
        assert!(matches!(ack, ServerFrame::Ack { seq: 9, .. }));
    }

    #[test]
    fn a_struct_written_as_an_array_is_refused() {
        let text = r#"["not_found","no such café"]"#;
        assert!(serde_json::from_str::<ApiErrorBody>(text).is_ok());
        let err = from_str::<ApiErrorBody>(text).expect_err("an array is not an object");
        assert!(err.to_string().contains("invalid type: sequence"), "{err}");
    }

    #[test]
    fn errors_are_serde_json_s() {
        let text = r#"{"type":"event","seq":3,"at":5,"event":{"type":"moon"}}"#;
        let ours = from_str::<ServerFrame>(text).expect_err("unknown event");
        let theirs = serde_json::from_str::<ServerFrame>(text).expect_err("unknown event");
        assert_eq!(ours.to_string(), theirs.to_string());
        assert!(from_str::<ApiErrorBody>(r#"{"code":"not_found","message":"x"} x"#).is_err());
    }
}

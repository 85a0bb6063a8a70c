//! The Okabe–Ito palette, one colour per group, the same on every chart.

use crate::domain::analytics::Group;
use crate::domain::ActionKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

pub fn colour_of(group: Group) -> Rgb {
    match group {
        Group::Action(ActionKind::Credit) => Rgb(0x00, 0x72, 0xb2),
        Group::Action(ActionKind::Refund) => Rgb(0x00, 0x9e, 0x73),
        Group::Action(ActionKind::Gift) => Rgb(0xcc, 0x79, 0xa7),
        Group::Action(ActionKind::Apology) => Rgb(0xe6, 0x9f, 0x00),
        Group::Action(ActionKind::ProactiveContact) => Rgb(0x56, 0xb4, 0xe9),
        Group::Action(ActionKind::Discount) => Rgb(0xd5, 0x5e, 0x00),
        Group::Action(ActionKind::Other) => Rgb(0x8c, 0x7a, 0x00),
        Group::AnyAction => Rgb(0x00, 0x72, 0xb2),
        Group::NoAction => Rgb(0xd5, 0x5e, 0x00),
        Group::Unaffected => Rgb(0x55, 0x55, 0x55),
        Group::Repeat => Rgb(0xd5, 0x5e, 0x00),
        Group::Once => Rgb(0x00, 0x72, 0xb2),
    }
}

impl From<Rgb> for plotters::style::RGBColor {
    fn from(c: Rgb) -> Self {
        plotters::style::RGBColor(c.0, c.1, c.2)
    }
}

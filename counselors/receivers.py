"""Signal receivers of the duty app."""

from . import demo


def seed_demo(sender, profile: str = "default", **kwargs) -> None:
    """`seed_demo` adds the duty demo after the core demo accounts exist."""
    demo.seed(profile)

"""``close_matches`` gives what ``difflib.get_close_matches`` gives, on many candidates."""

from __future__ import annotations

import difflib
import random
import string

import pytest

from newsanno.rules.close import SMALL, close_matches


def _ids(rng: random.Random, n: int) -> list[str]:
    alphabet = string.ascii_lowercase + string.digits + "_.-é"
    out = []
    for _ in range(n):
        stem = rng.choice(["per_", "org_", "gpe_", "ev_", "u_", ""])
        out.append(stem + "".join(rng.choices(alphabet, k=rng.randint(1, 14))))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_same_answers_as_difflib(seed: int) -> None:
    rng = random.Random(seed)
    candidates = _ids(rng, rng.choice([SMALL - 1, SMALL, 500, 3_000]))
    candidates += rng.sample(candidates, 5)  # duplicates, as difflib sees them
    words = [*_ids(rng, 40), *rng.sample(candidates, 20), "", "x"]
    words += [w[:-1] + "z" for w in rng.sample(candidates, 20)]  # near misses
    found = 0
    for word in words:
        for n, cutoff in ((1, 0.75), (3, 0.6), (2, 0.0), (1, 1.0)):
            expected = difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)
            assert close_matches(word, candidates, n=n, cutoff=cutoff) == expected, word
            found += bool(expected)
    assert found > 100  # the near misses do find their ids


def test_the_world_index_is_reused_and_follows_a_changed_world() -> None:
    ids = [f"per_{i:05d}" for i in range(2_000)]
    assert close_matches("per_0012x", ids, n=1, cutoff=0.75) == difflib.get_close_matches(
        "per_0012x", ids, n=1, cutoff=0.75
    )
    ids.append("per_zzzzzz")
    assert close_matches("per_zzzzzy", ids, n=1, cutoff=0.75) == ["per_zzzzzz"]


def test_bad_arguments_are_refused_as_difflib_refuses_them() -> None:
    with pytest.raises(ValueError):
        close_matches("a", ["a"], n=0)
    with pytest.raises(ValueError):
        close_matches("a", ["a"], cutoff=1.5)

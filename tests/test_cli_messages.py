"""Messages in the right voice, pointing at the right place (issue 16, item 14)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import mgrlead
from mgrlead.api import scoring_plan
from mgrlead.cli import cli
from mgrlead.groups.multirater import score_360
from mgrlead.groups.teams import summarize_teams
from mgrlead.io import stream
from mgrlead.plugins.host import reset_default_host

from .helpers import one_line_error, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "responses.csv"
ML = mgrlead.load_rubric("manager-leader")


# ------------------------------------------------- the first bad line is the one named
GOOD = "3"
#: What a data line may be: good, blank, malformed (too few or too many cells), a bad cell.
LINES = st.one_of(
    st.just(("good", 0)),
    st.just(("blank", 0)),
    st.tuples(st.just("short"), st.integers(1, 24)),
    st.tuples(st.just("long"), st.integers(26, 30)),
    st.tuples(st.just("cell"), st.integers(0, 23)),
)


def _write(path: Path, kinds: list[tuple[str, int]]) -> list[int]:
    """Write a responses file; the lines (1 = the header) that are bad, in order."""
    lines = [",".join(["id", *ML.item_ids])]
    bad = []
    for n, (kind, arg) in enumerate(kinds):
        cells = [f"p{n}", *[GOOD] * 24]
        if kind == "blank":
            lines.append("")
            continue
        if kind == "short":
            cells = cells[:arg]
        elif kind == "long":
            cells += ["9"] * (arg - 25)
        elif kind == "cell":
            cells[1 + arg] = "7"
        lines.append(",".join(cells))
        if kind != "good":
            bad.append(len(lines))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return bad


@pytest.fixture
def small_blocks() -> Iterator[None]:
    # about 20 lines a block: the reader parses ahead across several blocks
    before = stream.CSV_BLOCK_BYTES
    stream.CSV_BLOCK_BYTES = 1024
    try:
        yield
    finally:
        stream.CSV_BLOCK_BYTES = before


@pytest.mark.usefixtures("small_blocks")
@settings(max_examples=40)
@given(kinds=st.lists(st.one_of(st.just(("good", 0)), LINES), min_size=1, max_size=160))
def test_the_first_bad_line_is_named_and_skipped_rows_are_in_file_order(
    tmp_path_factory: pytest.TempPathFactory, kinds: list[tuple[str, int]]
) -> None:
    # was: a malformed line the reader met while parsing (the same chunk, or one
    # ahead) was named before an earlier bad cell: "line 10" when line 4 was bad;
    # and the side file listed the malformed lines of the next chunk first
    folder = tmp_path_factory.mktemp("lines")
    path = folder / "r.csv"
    bad = _write(path, kinds)
    result = run("score", str(path), "-o", str(folder / "out.csv"))
    if bad:
        assert f"r.csv, line {bad[0]}:" in one_line_error(result)
        with pytest.raises(mgrlead.MgrleadError, match=f"r.csv, line {bad[0]}:"):
            stream.read_all(scoring_plan(ML), path, [""])  # analyze, norms, report
        piped = run("score", "-", input=path.read_text("utf-8"))  # blank lines counted too
        assert f"<stdin>, line {bad[0]}:" in one_line_error(piped)
    elif any(kind == "good" for kind, _ in kinds):
        assert result.exit_code == 0, result.output
    skipped = folder / "r.skipped.csv"
    skipped.unlink(missing_ok=True)
    result = run("score", str(path), "-o", str(folder / "out.csv"), "--on-error", "skip")
    if bad:
        with skipped.open(newline="") as f:
            assert [int(r["line"]) for r in csv.DictReader(f)] == bad
        assert f"first: {path}, line {bad[0]}:" in result.stderr


def test_the_example_case_line_4_before_line_10(tmp_path: Path) -> None:
    # a bad cell on line 4 and a malformed line 10 in one chunk: line 4 is named
    path = tmp_path / "r.csv"
    kinds = [("good", 0)] * 2 + [("cell", 5)] + [("good", 0)] * 5 + [("short", 3)]
    assert _write(path, kinds) == [4, 10]
    assert "r.csv, line 4: item 'pr6': 7 is outside the scale" in one_line_error(
        run("score", str(path))
    )


def test_standard_input_is_named_so_and_counts_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    _write(path, [("good", 0), ("cell", 0)])
    line = one_line_error(run("score", "-", input=path.read_text()))
    assert "<stdin>, line 3: item 'pr1'" in line
    # was line 4: the blank lines (\r\n too) that the reader skips were not counted
    _write(path, [("blank", 0), ("blank", 0), ("good", 0), ("blank", 0), ("cell", 0)])
    text = path.read_text().replace("\n", "\r\n")
    assert "<stdin>, line 6: item 'pr1'" in one_line_error(run("score", "-", input=text))


# ------------------------------------------------- click's usage errors: one line, status 2
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "{folder}"], "invalid value for 'FILE': File '{folder}' is a directory"),
        (["score"], "missing argument 'FILE' (see '"),
        (["score", "x.csv", "--bogus"], "no such option '--bogus'"),
        (["score", "x.csv", "--outpt", "s.csv"], "did you mean '--output'?"),
        (["score", "x.csv", "--round", "x"], "'x' is not a valid integer range"),
        (["nosuch"], "no such command 'nosuch' (see '"),
        (["rubric", "show", "a", "b"], "got unexpected extra argument (b)"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    line = one_line_error(run(*(a.format(folder=tmp_path) for a in args)))
    assert message.format(folder=tmp_path) in line
    assert "Usage:" not in line


def test_usage_errors_in_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "mgrlead", "score", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert done.returncode == 2
    expected = (
        f"mgrlead: error: invalid value for 'FILE': File '{tmp_path}' is a directory "
        "(see 'mgrlead score --help')"
    )
    assert done.stderr.splitlines() == [expected]


@pytest.mark.parametrize("args", [["--help"], ["score", "--help"], ["score", "-h"], ["-V"]])
def test_help_and_version_still_work(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "Usage:" in result.stdout or "mgrlead " in result.stdout


# ------------------------------------------------- rubric validate takes names
@pytest.mark.parametrize("name", ["manager-leader"])
def test_rubric_validate_takes_a_registered_name(name: str) -> None:
    result = run("rubric", "validate", name)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{name}: valid rubric {name} 1.0 (4 dimensions, 24 items)")
    assert "registered by mgrlead.builtin" in result.stdout


def test_rubric_validate_unknown_names_and_missing_files() -> None:
    assert "did you mean 'manager-leader'?" in one_line_error(
        run("rubric", "validate", "Manager-Leader")
    )
    assert "cannot read 'nope.toml': no such file" in one_line_error(
        run("rubric", "validate", "nope.toml")
    )


# ------------------------------------------------- one dimension, not "1 dimensions"
def _one_dimension_rubric() -> mgrlead.Rubric:
    return mgrlead.Rubric.from_keys({"solo": ["a", "-b"]}, min=1, max=5, id="tiny")


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    tiny = _one_dimension_rubric()
    assert ": 1 dimension, 2 items>" in repr(tiny)
    path = tmp_path / "tiny.toml"
    path.write_text(mgrlead.io.serialize.dump_rubric(tiny, "toml"))
    result = run("rubric", "validate", str(path))
    assert result.stdout.strip().endswith("(1 dimension, 2 items)")
    one = mgrlead.Rubric.from_keys({"solo": ["a"]}, min=1, max=5, id="one")
    assert "1 item>" in repr(one.dimensions[0])
    profile = mgrlead.score(one, {"a": None})
    assert profile["solo"].reason is not None
    assert "0 of 1 item answered" in profile["solo"].reason


def test_skipped_rows_are_counted_in_words(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    _write(path, [("good", 0), ("cell", 0)])
    result = run("score", str(path), "--on-error", "skip", "-o", str(tmp_path / "o.csv"))
    assert "skipped 1 bad row," in result.stderr


# ------------------------------------------------- ids not found: KeyError with a suggestion
def test_profile_lookup_suggests_the_dimension() -> None:
    profile = mgrlead.score(ML, dict.fromkeys(ML.item_ids, 3))
    with pytest.raises(KeyError) as caught:
        profile["process"]
    assert isinstance(caught.value, mgrlead.MgrleadError)
    assert caught.value.args == ("process",)  # a KeyError's args: the key
    assert "did you mean 'process_results'?" in str(caught.value)
    assert "process" not in {s.dimension for s in profile}
    with pytest.raises(KeyError, match="did you mean 'staff_counsel'"):
        profile["Staff_Counsel"]


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (lambda: ML.item("PR1"), "no item 'PR1'; did you mean 'pr1'?"),
        (lambda: ML.dimension("PROCESS_RESULTS"), "did you mean 'process_results'?"),
        (lambda: mgrlead.score(ML, {"PR1": 3}), "did you mean 'pr1'?"),
        (lambda: mgrlead.load_rubric("MANAGER-LEADER"), "did you mean 'manager-leader'?"),
    ],
)
def test_suggestions_ignore_case(lookup: object, message: str) -> None:
    with pytest.raises(mgrlead.MgrleadError) as caught:
        lookup()  # type: ignore[operator]
    assert message in str(caught.value)


def test_a_frame_column_in_another_case_is_pointed_at() -> None:
    columns = {i.upper() if i == "pr1" else i: [3] for i in ML.item_ids}
    with pytest.raises(mgrlead.InputError, match="column 'PR1' looks like item 'pr1'"):
        mgrlead.score_frame(ML, columns)


# ------------------------------------------------- plugins: warnings in one line, refusals shown
DIMENSION = """
from mgrlead import Dimension, Item, Pole, hookimpl

@hookimpl
def mgrlead_register_dimensions(register):
    register(Dimension(id="installed", name="Installed", low=Pole(id="manager", label="L"),
                       high=Pole(id="leader", label="H"),
                       items=[Item(id="{item}", text="t", keyed="leader")]))
"""


def _fake_distribution(folder: Path, dist: str, source: str) -> None:
    """Install a distribution for real: a module and its .dist-info on sys.path."""
    module = dist.replace("-", "_")
    (folder / f"{module}.py").write_text(source, "utf-8")
    info = folder / f"{module}-2.5.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 2.5\n")
    (info / "entry_points.txt").write_text(f"[mgrlead]\n{module} = {module}\n")


@pytest.fixture
def clashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    # acme-beta registers the dimension id acme-alpha registered first; acme-broken fails
    _fake_distribution(tmp_path, "acme-alpha", DIMENSION.replace("{item}", "in1"))
    _fake_distribution(tmp_path, "acme-beta", DIMENSION.replace("{item}", "in2"))
    _fake_distribution(tmp_path, "acme-broken", "raise ImportError('no numpy 3')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    env = {"MGRLEAD_LOAD_PLUGINS": "acme-alpha,acme-beta,acme-broken"}
    reset_default_host()
    yield {**env, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "src")])}
    reset_default_host()


@pytest.mark.filterwarnings("default::mgrlead.errors.PluginWarning")
def test_refused_plugins_are_listed_with_the_reason(clashing: dict[str, str]) -> None:
    env = {"MGRLEAD_LOAD_PLUGINS": clashing["MGRLEAD_LOAD_PLUGINS"]}
    result = CliRunner().invoke(cli, ["plugins"], env=env)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "acme-alpha 2.5\n" in out
    assert "acme-beta 2.5  (refused: not loaded)" in out
    assert (
        "reason: hook mgrlead_register_dimensions: the dimension 'installed' is already "
        "registered by plugin 'acme-alpha'; rename it, or register it with "
        "replaces='acme-alpha'"
    ) in out
    assert "acme-broken 2.5  (refused: not loaded)" in out
    assert "cannot import entry point 'acme_broken': ImportError: no numpy 3" in out
    listed = json.loads(CliRunner().invoke(cli, ["plugins", "--json"], env=env).stdout)
    by_name = {p["name"]: p for p in listed}
    assert by_name["acme-alpha"]["refused"] is None
    assert "already registered by plugin 'acme-alpha'" in by_name["acme-beta"]["refused"]
    assert by_name["acme-beta"]["version"] == "2.5"
    assert set(by_name["acme-beta"]) == set(by_name["acme-alpha"])  # the same keys


def test_plugin_warnings_are_one_line_each_in_a_real_process(
    clashing: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mgrlead", "rubric", "list"],
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, **clashing}, cwd=tmp_path,
    )  # fmt: skip
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert all(line.startswith("mgrlead: warning: skipped plugin 'acme-") for line in lines)
    assert "PluginWarning" not in done.stderr
    assert "warnings.warn" not in done.stderr
    assert done.stdout.startswith("manager-leader\t1.0")


# ------------------------------------------------- the CLI's words for the library's column errors
def test_by_names_the_option_and_the_file(tmp_path: Path) -> None:
    line = one_line_error(
        run(
            "report", str(EXAMPLE), "--kind", "team", "--by", "dept", "-o", str(tmp_path / "t.html")
        )
    )
    assert (
        f"{EXAMPLE} has no column 'dept' to group by; choose the grouping column with --by" in line
    )
    assert "its other columns: respondent, team" in line
    assert "by=" not in line
    assert not (tmp_path / "t.html").exists()


def test_a_bad_rater_group_names_the_file_line_and_option(tmp_path: Path) -> None:
    lines = (ROOT / "examples" / "360-responses.csv").read_text("utf-8").splitlines()
    lines.insert(3, "")  # a blank line: the reader skips it, the line numbers count it
    cells = lines[6].split(",")
    cells[1] = "boss"
    lines[6] = ",".join(cells)  # line 7 of the file, data row 4
    path = tmp_path / "360.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    line = one_line_error(
        run("report", str(path), "--kind", "360", "--subject", cells[0], "-o",
            str(tmp_path / "r.html"))
    )  # fmt: skip
    assert f"{path}, line 7: rater group 'boss' in column 'rater_group' is not one of" in line
    assert "--group-column" in line
    assert "groups=" not in line
    assert "row 4" not in line


def test_the_library_keeps_its_own_words() -> None:
    data = {i: [3, 3] for i in ML.item_ids} | {"subject": ["a", "a"], "rater_group": ["self", "x"]}
    with pytest.raises(mgrlead.errors.ColumnError) as caught:
        summarize_teams(ML, data, by="dept")
    assert str(caught.value) == "the data has no column 'dept' to group by; name it with by=..."
    assert (caught.value.argument, caught.value.row) == ("by", None)
    with pytest.raises(mgrlead.InputError, match=r"^row 1: rater group 'x' .*pass groups=\.\.\.$"):
        score_360(ML, data)


@given(
    lines=st.lists(st.sampled_from(["", "\r", "a", "ab\r", "x,y", "\r\r", "3,4"]), max_size=40),
    newline_at_end=st.booleans(),
    reads=st.integers(1, 9),
)
def test_standard_input_blank_lines_are_noted_whatever_the_reads(
    lines: list[str], newline_at_end: bool, reads: int
) -> None:
    text = ("\n".join(lines) + ("\n" if newline_at_end else "")).encode()
    complete = text.split(b"\n")[:-1]  # the lines that end in a newline
    expected = [n for n, line in enumerate(complete, start=2) if not line.strip(b"\r")]
    counter = stream._BlankLines(io.BytesIO(text), 2)  # the reader under test
    buffered = io.BufferedReader(counter, buffer_size=reads)
    while buffered.read(reads):
        pass
    assert counter.found == expected


def test_norms_group_names_the_option_and_the_file(tmp_path: Path) -> None:
    out = tmp_path / "n.toml"
    line = one_line_error(run("norms", "build", str(EXAMPLE), "--group", "dept", "-o", str(out)))
    assert f"{EXAMPLE} has no column 'dept' to group the norms by; choose it with --group" in line
    assert "group_by=" not in line
    assert not out.exists()


def test_norms_build_never_writes_over_its_input(tmp_path: Path) -> None:
    data = tmp_path / "responses.csv"
    data.write_bytes(EXAMPLE.read_bytes())
    table = tmp_path / "norms.toml"
    table.hardlink_to(data)  # the same file under a name that norms build would write
    line = one_line_error(run("norms", "build", str(data), "-o", str(table)))
    assert "-o" in line
    assert "FILE" in line
    assert data.read_bytes() == EXAMPLE.read_bytes()

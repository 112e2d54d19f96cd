# Many targets in one configuration (docs/fleet.md): [target "NAME"] sections, [NAME:CHECK]
# overrides, --target-name, gate --all --parallel N, and runs, metrics, reports and packs
# grouped by target, over one store.

# the configuration's store (on PostgreSQL, v gives the test store instead)
SQLITE_STORE=fleet.db
# nothing_stored: the store holds no run (on SQLite, it was not even made)
nothing_stored() {
    if on_pg; then
        test "$(store_sql 'select count(*) from runs')" = 0
    else
        test ! -e fleet.db
    fi
}
fresh_db fleet_au
fresh_db fleet_nz
fresh_db fleet_uk
cat >vouch.conf <<'CONF'
[target]
connect_timeout = 5

[target "portal-au"]
dsn = dbname=fleet_au

[target "portal-nz"]
dsn = dbname=fleet_nz
jobs = 1

[target "portal-uk"]
dsn = dbname=fleet_uk

[store]
path = fleet.db

[rowcount]
table = public.audit_log at-least
table = public.tasks
table = public.projects

[portal-nz:rowcount]
# portal-nz loses tasks on purpose below: its rule tolerates a few
table = public.tasks tolerance 50%
table = public.projects
CONF

test_case "with several targets and none chosen, gate says which to choose"
v gate
expect_rc 2
expect_err "^vouch: vouch\.conf declares 3 targets: choose one with --target-name NAME, or all of them with --all$"
expect_err '^hint: Its targets are: portal-au, portal-nz, portal-uk\.$'
check "nothing was stored" nothing_stored
end_case

test_case "an unknown --target-name names the targets there are"
v baseline --target-name portal-fr
expect_rc 2
expect_err '^vouch: vouch\.conf declares no target named portal-fr$'
expect_err '^hint: Its targets are: portal-au, portal-nz, portal-uk\.$'
check "nothing was stored" nothing_stored
end_case

test_case "a hostile --target-name is refused in one line"
v gate --target-name '../../etc;rm -rf'
expect_rc 2
expect_err '^vouch: --target-name: "\.\./\.\./etc;rm -rf" is not a target name$'
v gate --target-name "$(printf 'a\033[2Jb')"
expect_rc 2
expect_err '^vouch: --target-name: "a\\x1B\[2Jb" is not a target name$'
check "no terminal escape reaches stderr" test "$(grep -c "$(printf '\033')" "$ERR")" = 0
v gate --target-name "$(printf 'x%.0s' $(seq 64))"
expect_rc 2
expect_err 'is not a target name'
end_case

test_case "baseline --all captures every target, one line each, in its own process"
v baseline --all --parallel 2
expect_rc 0
expect_out '^portal-au +ok +captured +run [0-9]+ +[0-9.]+ s$'
expect_out '^portal-nz +ok +captured +run [0-9]+ +[0-9.]+ s$'
expect_out '^portal-uk +ok +captured +run [0-9]+ +[0-9.]+ s$'
expect_out '^3 targets in [0-9.]+ s: 3 passed, 0 failed, 0 not run \(configuration\), 0 could not finish$'
check "three baselines, one per target" \
    test "$(store_sql "select target_name from runs where kind = 'baseline' order by target_name" | paste -sd,)" = portal-au,portal-nz,portal-uk
check "by three processes" test "$(store_sql "select count(distinct pid) from runs")" = 3
end_case

test_case "each run carries its target: gate --target-name compares with that target's baseline"
v gate --target-name portal-au
expect_rc 0
expect_out '^vouch gate [0-9]+ against baseline [0-9]+ on target portal-au \(.*dbname=fleet_au'
au_base=$(store_sql "select id from runs where kind = 'baseline' and target_name = 'portal-au'")
expect_out "against baseline $au_base on target portal-au"
v --format json gate --target-name portal-uk
expect_rc 0
check "json carries the target name" test "$(jq -r .target_name "$OUT")" = portal-uk
end_case

test_case "a target's override applies to it alone"
psql_q -d fleet_nz -c "delete from public.tasks where id % 10 = 0"
psql_q -d fleet_uk -c "delete from public.tasks where id % 10 = 0"
v gate --target-name portal-nz
expect_rc 0
expect_out '^pass +rowcount +public\.tasks .*rule tolerance 50%$'
expect_not_out 'public\.audit_log'
v gate --target-name portal-uk
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks '
end_case

test_case "gate --all: one line per target, the exit status the worst (1 with one failing)"
v gate --all --parallel 3
expect_rc 1
expect_out '^portal-au +ok +passed +3/3 passed +run [0-9]+ +[0-9.]+ s$'
expect_out '^portal-nz +ok +passed +2/2 passed +run [0-9]+ '
expect_out '^portal-uk +FAIL +failed +2/3 passed +run [0-9]+ '
expect_out '^3 targets in [0-9.]+ s: 2 passed, 1 failed, 0 not run \(configuration\), 0 could not finish$'
expect_err '^vouch: 1 of 3 targets did not pass$'
check "three lines of targets and a summary" test "$(wc -l <"$OUT")" = 4
end_case

test_case "gate --all: a target that cannot be reached makes it 3, the others still run"
sed 's/^dsn = dbname=fleet_uk$/dsn = host=\/nonexistent dbname=fleet_uk/' vouch.conf >down.conf
v -c down.conf gate --all --parallel 2
expect_rc 3
expect_out '^portal-uk +ABORT +aborted +0/1 passed +run [0-9]+ '
expect_out '^ +vouch: could not connect'
expect_out '^portal-au +ok +passed '
expect_out '^portal-nz +ok +passed '
end_case

test_case "gate --all: a target with no baseline yet is not run (2 over 1), the others still run"
cp vouch.conf plusone.conf
printf '\n[target "portal-fr"]\ndsn = dbname=fleet_au\n' >>plusone.conf
before=$(store_sql "select count(*) from runs")
v -c plusone.conf gate --all --parallel 4
expect_rc 2
expect_out '^portal-fr +ERROR +not run +[0-9.]+ s$'
expect_out "^ +vouch: store \"$(store_re '[^"]*fleet\.db')\" holds no baseline of target portal-fr\$"
expect_out '^ +hint: Run .vouch baseline --target-name portal-fr. against its healthy database first\.$'
expect_out '^portal-uk +FAIL +failed '
expect_out '^4 targets in [0-9.]+ s: 2 passed, 1 failed, 1 not run \(configuration\), 0 could not finish$'
check "three runs stored, none for portal-fr" \
    test "$(store_sql "select count(*) || ' ' || count(target_name = 'portal-fr' or null) from runs where id > $before")" = "3 0"
end_case

test_case "--parallel 1 runs the targets one after another, in file order"
v gate --all
expect_rc 1
check "file order" test "$(awk 'NR <= 3 {print $1}' "$OUT" | tr '\n' ' ')" = "portal-au portal-nz portal-uk "
end_case

test_case "--all refuses what names one target, and --parallel without it"
v gate --all --target-name portal-au
expect_rc 2
expect_err '^vouch: give --all or --target-name, not both$'
v gate --all --target dbname=fleet_au
expect_rc 2
expect_err '^vouch: --target does not apply to --all'
v gate --all --format junit
expect_rc 2
expect_err '^vouch: --all writes one line per target: --format and --out do not apply$'
v gate --parallel 2
expect_rc 2
expect_err '^vouch: --parallel applies to --all$'
v gate --all --parallel 0
expect_rc 2
expect_err '^vouch: --parallel expects a whole number from 1 to 64, not "0"$'
v runs --all
expect_rc 2
expect_err '^vouch: option --all does not apply to runs$'
v report run --target-name portal-au
expect_rc 2
expect_err '^vouch: option --target-name does not apply to report$'
end_case

test_case "a baseline of another target is refused"
nz_base=$(store_sql "select id from runs where kind = 'baseline' and target_name = 'portal-nz'")
v gate --target-name portal-au --baseline "$nz_base"
expect_rc 2
expect_err "^vouch: baseline $nz_base is of target portal-nz, not portal-au$"
end_case

test_case "runs shows each run's target; --target-name lists one target's runs"
v runs --limit 50
expect_rc 0
expect_out '^[0-9]+ +gate +failed .* portal-uk$'
expect_out '^[0-9]+ +baseline +captured .* portal-nz$'
# and grouped: one line per target after the listing
expect_out '^TARGET +RUNS +NEWEST GATE +GATES NOT PASSED$'
expect_out '^portal-uk +[0-9]+ +[0-9]+ failed +[1-9][0-9]*$'
expect_out '^portal-au +[0-9]+ +[0-9]+ passed +0$'
check "the targets in name order" \
    test "$(sed -n '/^TARGET /,$p' "$OUT" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" = "portal-au portal-nz portal-uk "
v runs --target-name portal-nz
expect_rc 0
check "only portal-nz" test "$(awk 'NR > 1 {print $NF}' "$OUT" | sort -u)" = portal-nz
expect_not_out '^TARGET '
v --format json runs --target-name portal-au
expect_rc 0
check "json lists portal-au's runs" test "$(jq -r '[.[].target_name] | unique | join(",")' "$OUT")" = portal-au
v runs --target-name portal-fr
expect_rc 0
expect_out "^store $(store_re 'fleet\.db') holds no runs of target portal-fr\$"
end_case

test_case "metrics label each target's last runs with its name"
v metrics
expect_rc 0
expect_out '^vouch_last_run_passed\{kind="gate",target="portal-au"\} 1$'
expect_out '^vouch_last_run_passed\{kind="gate",target="portal-uk"\} 0$'
expect_out '^vouch_last_run_passed\{kind="baseline",target="portal-nz"\} 1$'
expect_out '^vouch_last_gate_failed_results\{target="portal-uk",check="rowcount"\} 1$'
end_case

test_case "the bare [target] stays valid, and its runs have no target name"
fresh_db fleet_bare
printf '[target]\ndsn = dbname=fleet_bare\n\n[store]\npath = fleet.db\n\n[rowcount]\ntable = public.tasks\n' >bare.conf
v -c bare.conf baseline
expect_rc 0
expect_out '^vouch baseline [0-9]+ on host=.*dbname=fleet_bare'
v -c bare.conf gate
expect_rc 0
bare_base=$(store_sql "select id from runs where kind = 'baseline' and target_name is null")
expect_out "against baseline $bare_base on "
check "no target name stored" test "$(store_sql "select count(*) from runs where target_name is null")" = 2
v -c bare.conf gate --all
expect_rc 2
expect_err '^vouch: bare\.conf declares no \[target "NAME"\]: --all has nothing to run$'
end_case

test_case "one named target is used without --target-name"
printf '[target "solo"]\ndsn = dbname=fleet_bare\n\n[store]\npath = solo.db\n\n[rowcount]\ntable = public.tasks\n' >solo.conf
use_own_store solo solo.conf
v_own -c solo.conf baseline
expect_rc 0
expect_out '^vouch baseline 1 on target solo '
v_own -c solo.conf check-config
expect_rc 0
expect_out 'valid; every table'
end_case

test_case "configuration mistakes of targets are said with FILE:LINE"
printf '[target]\ndsn = dbname=x\n\n[target "a"]\ndsn = dbname=y\n' >both.conf
v -c both.conf gate
expect_rc 2
expect_err '^vouch: both\.conf:2: \[target\] dsn: with named targets, each \[target "NAME"\] gives its dsn$'
printf '[target "a"]\nconnect_timeout = 3\n' >nodsn.conf
v -c nodsn.conf gate
expect_rc 2
expect_err "^vouch: nodsn\.conf:1: \[target \"a\"\] is missing required key 'dsn'$"
printf '[target "a"]\ndsn = dbname=y\n\n[b:rowcount]\ntable = public.tasks\n' >undeclared.conf
v -c undeclared.conf gate
expect_rc 2
expect_err '^vouch: undeclared\.conf:4: section \[b:rowcount\]: no \[target "b"\] is declared$'
printf '[target "a"]\ndsn = dbname=y\n\n[a:store]\npath = x.db\n' >overstore.conf
v -c overstore.conf gate
expect_rc 2
expect_err '^vouch: overstore\.conf:4: section \[a:store\]: a target overrides a check.s section, and store is none$'
printf '[target "a"]\ndsn = dbname=y\n\n[rowcount]\ntable = public.tasks\n\n[a:rowcount]\ntable = public.tasks\ntabel = x\n' >badkey.conf
v -c badkey.conf gate
expect_rc 2
expect_err '^vouch: badkey\.conf:9: \[a:rowcount\] tabel: unknown key$'
printf '[target "a b"]\ndsn = dbname=y\n' >spaced.conf
v -c spaced.conf gate
expect_rc 2
expect_err '^vouch: spaced\.conf:1: section \[target "a b"\]: "a b" is not a valid instance name$'
printf '[target "a"]\ndsn = dbname=y\n[target "a"]\ndsn = dbname=z\n' >twice.conf
v -c twice.conf gate
expect_rc 2
expect_err '^vouch: twice\.conf:3: section \[target "a"\] given twice \(first on line 1\)$'
printf '[target "a"]\ndsn = dbname=fleet_au\n\n[rowcount]\ntable = public.tasks\n\n[a:rowcount]\ntable = public.tasks sometimes\n' >badrule.conf
v -c badrule.conf gate --all
expect_rc 2
expect_err '^vouch: badrule\.conf:8: \[a:rowcount\] table: '
end_case

test_case "drill run uses the chosen target: its dsn, its baseline, its name on the gate run"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
v drill run --scenario "au restore" --incident-at "$now" --restore-cmd "true"
expect_rc 2
expect_err '^vouch: vouch\.conf declares 3 targets: choose one with --target-name NAME$'
v drill run --scenario "au restore" --incident-at "$now" --restore-cmd "true" --target-name portal-au
expect_rc 0
expect_out '^pass +rowcount +public\.tasks '
check "the drill's gate ran against portal-au" \
    test "$(store_sql "select r.target_name from drills d join runs r on r.id = d.gate_run_id order by d.id desc limit 1")" = portal-au
v --target-name portal-au gate
expect_rc 0
expect_out 'on target portal-au '
end_case

test_case "the compliance report shows each target's gates and a fleet summary"
period=$(date -u +%Y-%m)
v report period "$period" --format xml --no-sign --out -
expect_rc 0
expect_out '<fleet targets="[0-9]+"'
expect_out '<target name="portal-au" gates="[0-9]+" passed="[0-9]+" failed="0" open-failures="0" other="0" drills-held="1"'
expect_out '<target name="portal-uk" gates="[0-9]+" passed="[0-9]+" failed="[1-9][0-9]*" open-failures="1"'
expect_out '<gate [^>]*target-name="portal-nz"'
# portal-au passed after portal-uk failed: the check's latest status is still the failure
expect_out '<check name="rowcount" runs="[0-9]+" latest-run="[0-9]+" latest-status="fail"'
v report period "$period" --format markdown --no-sign --out -
expect_rc 0
expect_out '^## Fleet'
expect_out '^\| portal-uk \| [0-9]+ \| [0-9]+ \| [1-9][0-9]* \| 1 \|'
v report period "$period" --format html --no-sign --out period.html
expect_rc 0
check "the html names every target" grep -q '>portal-nz<' period.html
end_case

test_case "a run's report names its target"
au_gate=$(store_sql "select max(id) from runs where kind = 'gate' and target_name = 'portal-au'")
v report run "$au_gate" --format xml --no-sign --out -
expect_rc 0
expect_out '<target database="fleet_au" name="portal-au">'
v report run "$au_gate" --format markdown --no-sign --out -
expect_rc 0
expect_out '^# Gate run '"$au_gate"' · target portal-au · fleet\\_au$'
end_case

test_case "a pack of the period covers every target and verifies"
"$VOUCH" keygen --key pack.key --cert pack.crt >/dev/null 2>&1
printf '\n[signing]\nkey = pack.key\ncertificate = pack.crt\n' >>vouch.conf
v pack --period "$period" --out fleet-pack
expect_rc 0
v verify fleet-pack
expect_rc 0
check "the pack's index names all three targets' gates" \
    test "$(jq -r '.gates[].target_name // empty' fleet-pack/pack.json | sort -u | tr '\n' ' ')" = "portal-au portal-nz portal-uk "
check "each run's canonical form carries its target" \
    test "$(cat fleet-pack/chain/run-*.json | jq -r '.target_name // empty' | sort -u | tr '\n' ' ')" = "portal-au portal-nz portal-uk "
check "the pack's compliance report has the fleet summary" \
    grep -q '<fleet ' $(grep -l '<compliance-report' fleet-pack/*.xml fleet-pack/*/*.xml 2>/dev/null | head -1)
end_case

test_case "the store's chain holds every target's runs and verifies"
v verify
expect_rc 0
expect_out 'chain intact: [0-9]+ sealed runs'
end_case

test_case "an interrupt of gate --all is passed on: every running target stores its run aborted"
slow_store=$(own_store slow)
slowconf() { # slowconf FILE SQL
    printf '[target "s1"]\ndsn = dbname=fleet_au\n\n[target "s2"]\ndsn = dbname=fleet_nz\n\n[store]\n%s\n\n[query]\nsql = %s\nexpect = true\n' "$slow_store" "$2" >"$1"
}
slowconf fast.conf 'SELECT pg_sleep(0) IS NOT NULL'
slowconf slow.conf 'SELECT pg_sleep(120) IS NOT NULL'
v_own -c fast.conf baseline --all
expect_rc 0
set +e
"$VOUCH" -c slow.conf gate --all --parallel 2 >"$OUT" 2>"$ERR" &
fleet_pid=$!
for _ in $(seq 150); do
    [ "$(psql_q -d postgres -c "select count(*) from pg_stat_activity where query like 'SELECT pg_sleep(120)%'")" = 2 ] && break
    sleep 0.2
done
kill -TERM "$fleet_pid" # the parent only: it must pass the signal on
wait "$fleet_pid"
RC=$?
set -e
expect_rc 3
check "both gates are stored aborted as interrupted" \
    test "$(store_sql -s slow "select status || ':' || error from runs where kind = 'gate' order by target_name" | paste -sd,)" = "aborted:interrupted,aborted:interrupted"
expect_out '^s1 +ABORT +aborted '
expect_out '^s2 +ABORT +aborted '
expect_out '^2 targets in [0-9.]+ s: 0 passed, 0 failed, 0 not run \(configuration\), 2 could not finish$'
end_case

test_case "a fleet sealed into one PostgreSQL store: every target's run there, by name, verified"
dropdb --if-exists fleet_store >/dev/null 2>&1 || true
createdb fleet_store
pg_url="postgresql:///fleet_store?host=$PGHOST&port=$PGPORT"
v store init --url "$pg_url"
expect_rc 0
sed -e '/^\[store\]$/,/^$/d' vouch.conf | sed -e '/^\[signing\]$/,$d' >pg.conf
printf '\n[store]\nurl = %s\n' "$pg_url" >>pg.conf
v_own -c pg.conf baseline --all --parallel 3
expect_rc 0
expect_out '^3 targets in [0-9.]+ s: 3 passed, '
psql_q -d fleet_uk -c "delete from public.tasks where id % 10 = 1" # after its baseline here
v_own -c pg.conf gate --all --parallel 3
expect_rc 1
expect_out '^portal-uk +FAIL +failed '
expect_out '^portal-au +ok +passed '
check "six runs, two per target, by name" \
    test "$(psql_q -d fleet_store -c "select string_agg(target_name || ':' || n, ',' order by target_name) from (select target_name, count(*) n from vouch.runs group by target_name) x")" = "portal-au:2,portal-nz:2,portal-uk:2"
v_own -c pg.conf runs --target-name portal-nz
expect_rc 0
check "only portal-nz" test "$(awk 'NR > 1 {print $NF}' "$OUT" | sort -u)" = portal-nz
v_own -c pg.conf verify
expect_rc 0
expect_out 'chain intact: 6 sealed runs'
end_case

test_case "[gate] negative_control = weekly is judged per target: one's control does not count for another"
fresh_db nc_a
fresh_db nc_b
cat >nc.conf <<'CONF'
[target "nc-a"]
dsn = dbname=nc_a

[target "nc-b"]
dsn = dbname=nc_b

[store]
path = nc.db

[gate]
negative_control = weekly

[rowcount]
table = public.tasks
CONF
use_own_store nc nc.conf
v_own -c nc.conf baseline --all
expect_rc 0
v_own -c nc.conf gate --target-name nc-a
expect_rc 0
expect_out '^pass +rowcount +\(negative control\) '
v_own -v -c nc.conf gate --target-name nc-a
expect_rc 0
expect_not_out '\(negative control\)'
expect_err '^vouch: negative control: run [0-9]+ showed every check able to fail on .*, under a week ago'
v_own -c nc.conf gate --target-name nc-b
expect_rc 0
expect_out '^pass +rowcount +\(negative control\) '
end_case

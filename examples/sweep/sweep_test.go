// Package sweep holds the Slurm and Kubernetes examples of a sharded
// noisegeom sweep; its test runs them locally.
package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The sweep the test runs: tiny scale, experiments that need no dataset.
const (
	testShards = 3
	testOnly   = "mu-vs-n,escape"
)

// buildNoisegeom builds the command into a temporary bin directory and
// returns that directory; it skips when the binary cannot run here (e.g.
// the test itself runs under qemu).
func buildNoisegeom(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "noisegeom"), "github.com/noisegeom/noisegeom/cmd/noisegeom")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build the command here: %v\n%s", err, out)
	}
	if err := exec.Command(filepath.Join(bin, "noisegeom"), "version").Run(); err != nil {
		t.Skipf("the built command does not run on this host: %v", err)
	}
	return bin
}

func runScript(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %v\n%s", name, env, out)
}

// reference runs the same experiments unsharded.
func reference(t *testing.T, bin string) string {
	dir := filepath.Join(t.TempDir(), "whole")
	runScript(t, nil, filepath.Join(bin, "noisegeom"), "reproduce", "--scale", "tiny", "--only", testOnly, "--out", dir)
	return dir
}

// requireSameReport compares every CSV and figure of two report directories.
func requireSameReport(t *testing.T, want, got string) {
	t.Helper()
	var files []string
	for _, pattern := range []string{"data/*.csv", "figures/*.svg", "figures/*.png"} {
		m, err := filepath.Glob(filepath.Join(want, pattern))
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files, "the reference run wrote no figures or CSVs")
	for _, f := range files {
		rel, _ := filepath.Rel(want, f)
		a, err := os.ReadFile(f)
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(got, rel))
		require.NoError(t, err, "merged report lacks %s", rel)
		require.True(t, bytes.Equal(a, b), "%s differs between the sharded and the whole run", rel)
	}
	_, err := os.Stat(filepath.Join(got, "report.html"))
	require.NoError(t, err)
}

// fakeSbatch stands in for Slurm's sbatch: it logs its arguments (one line
// per call, tab-separated) to $FAKE_SLURM/calls, runs the job at once the
// way Slurm would (a copy of the script, from the submit directory; an
// array's tasks concurrently with SLURM_ARRAY_* set), and honours
// --dependency=afterok:ID by refusing the submission unless every task of
// job ID succeeded. --array comes from the command line or the script's
// #SBATCH header.
const fakeSbatch = `#!/usr/bin/env bash
set -u
state="$FAKE_SLURM"
printf '%s\t' "$@" >>"$state/calls"; echo >>"$state/calls"
parsable=0 array="" dep="" script=""
while [ $# -gt 0 ]; do
	case "$1" in
	--parsable) parsable=1 ;;
	--array=*) array="${1#--array=}" ;;
	--dependency=*) dep="${1#--dependency=}" ;;
	--*) ;;
	*) script="$1"; shift; break ;;
	esac
	shift
done
[ -n "$script" ] || { echo "sbatch: error: no script" >&2; exit 1; }
if [ -z "$array" ]; then
	array=$(sed -n '/^#SBATCH --array=/{s/^#SBATCH --array=//p;q}; /^[^#]/q' "$script")
fi
if [ -n "$dep" ]; then
	case "$dep" in afterok:*) ;; *) echo "sbatch: fake supports afterok only: $dep" >&2; exit 1 ;; esac
	for id in $(echo "${dep#afterok:}" | tr ':' ' '); do
		if [ "$(cat "$state/status-$id" 2>/dev/null)" != ok ]; then
			echo "sbatch: error: Batch job submission failed: Job dependency problem" >&2
			exit 1
		fi
	done
fi
id=$(( $(cat "$state/next" 2>/dev/null || echo 1000) + 1 )); echo "$id" >"$state/next"
mkdir -p "$state/spool"; cp "$script" "$state/spool/$id"
status=ok
if [ -n "$array" ]; then
	first="${array%-*}" last="${array#*-}" pids=()
	for ((t = first; t <= last; t++)); do
		SLURM_JOB_ID=$id SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$t SLURM_ARRAY_TASK_COUNT=$((last - first + 1)) \
			bash "$state/spool/$id" >"$state/job-${id}_$t.log" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || status=failed; done
	echo "$id array $first-$last $status" >>"$state/jobs"
else
	SLURM_JOB_ID=$id bash "$state/spool/$id" >"$state/job-$id.log" 2>&1 || status=failed
	echo "$id single - $status" >>"$state/jobs"
fi
echo "$status" >"$state/status-$id"
if [ "$parsable" = 1 ]; then echo "$id;testcluster"; else echo "Submitted batch job $id"; fi
`

// loggingNoisegeom runs the real binary after logging its arguments.
const loggingNoisegeom = `#!/bin/sh
echo "$*" >>"$FAKE_SLURM/noisegeom"
exec "$REAL_NOISEGEOM" "$@"
`

// fakeSlurm writes the sbatch stub and the logging wrapper into a new
// directory and returns it (to go first on PATH) and the state directory.
func fakeSlurm(t *testing.T) (bin, state string) {
	t.Helper()
	bin, state = t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "sbatch"), []byte(fakeSbatch), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "noisegeom-logged"), []byte(loggingNoisegeom), 0o755))
	return bin, state
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// sbatchHeader returns the values of a script's "#SBATCH --name=value"
// lines (Slurm reads them up to the first command).
func sbatchHeader(t *testing.T, script string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(script)
	require.NoError(t, err)
	h := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			break
		}
		if opt, ok := strings.CutPrefix(l, "#SBATCH --"); ok {
			k, v, _ := strings.Cut(opt, "=")
			h[k] = v
		}
	}
	return h
}

func TestSlurmScriptsSyntax(t *testing.T) {
	for _, script := range []string{"slurm-submit.sh", "slurm-sweep.sbatch", "slurm-merge.sbatch"} {
		out, err := exec.Command("bash", "-n", script).CombinedOutput()
		assert.NoError(t, err, "bash -n %s: %s", script, out)
	}
	sweep, merge := sbatchHeader(t, "slurm-sweep.sbatch"), sbatchHeader(t, "slurm-merge.sbatch")
	_, isArray := merge["array"]
	assert.False(t, isArray, "the merge script must not be an array job: it would merge once per task")
	// The header's array size and the default SHARDS agree.
	var k, n int
	_, err := fmt.Sscanf(sweep["array"], "0-%d", &k)
	require.NoError(t, err, "#SBATCH --array=%s", sweep["array"])
	for _, script := range []string{"slurm-sweep.sbatch", "slurm-merge.sbatch", "slurm-submit.sh"} {
		text, err := os.ReadFile(script)
		require.NoError(t, err)
		m := regexp.MustCompile(`SHARDS="\$\{SHARDS:-(\d+)\}"`).FindSubmatch(text)
		require.NotNil(t, m, "%s: no SHARDS default", script)
		fmt.Sscan(string(m[1]), &n)
		assert.Equal(t, k+1, n, "%s: --array=0-%d must give SHARDS=%d tasks", script, k, n)
	}
}

// TestSlurmSubmitMergesOnceAfterTheArray submits the sweep with
// slurm-submit.sh to a fake sbatch that runs the jobs here: the shards run
// as one array, the merge is submitted once, depending on the array's job
// ID, runs once, and its report equals an unsharded run's.
func TestSlurmSubmitMergesOnceAfterTheArray(t *testing.T) {
	built := buildNoisegeom(t)
	stubs, state := fakeSlurm(t)
	results := filepath.Join(t.TempDir(), "sweep")
	env := []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "FAKE_SLURM=" + state,
		"REAL_NOISEGEOM=" + filepath.Join(built, "noisegeom"), "NOISEGEOM=" + filepath.Join(stubs, "noisegeom-logged"),
		fmt.Sprintf("SHARDS=%d", testShards), "RESULTS=" + results, "SCALE=tiny", "ONLY=" + testOnly}
	runScript(t, env, "bash", "slurm-submit.sh", "--partition=debug")

	calls := lines(t, filepath.Join(state, "calls"))
	require.Len(t, calls, 2, "sbatch calls: %q", calls)
	array, merge := strings.Split(strings.TrimSuffix(calls[0], "\t"), "\t"), strings.Split(strings.TrimSuffix(calls[1], "\t"), "\t")
	assert.Equal(t, "slurm-sweep.sbatch", filepath.Base(array[len(array)-1]))
	assert.Contains(t, array, fmt.Sprintf("--array=0-%d", testShards-1))
	assert.Equal(t, "slurm-merge.sbatch", filepath.Base(merge[len(merge)-1]))
	assert.Contains(t, merge, "--dependency=afterok:1001", "the merge depends on the whole array (job 1001)")
	for _, a := range merge {
		assert.False(t, strings.HasPrefix(a, "--array"), "the merge is not an array: %q", merge)
	}
	assert.Contains(t, array, "--partition=debug", "extra arguments reach sbatch")
	assert.Contains(t, merge, "--partition=debug")
	assert.Equal(t, []string{fmt.Sprintf("1001 array 0-%d ok", testShards-1), "1002 single - ok"}, lines(t, filepath.Join(state, "jobs")))

	var reproduce, merges []string
	for _, l := range lines(t, filepath.Join(state, "noisegeom")) {
		switch strings.Fields(l)[0] {
		case "reproduce":
			reproduce = append(reproduce, l)
		case "merge":
			merges = append(merges, l)
		}
	}
	assert.Len(t, reproduce, testShards)
	require.Len(t, merges, 1, "the merge runs exactly once")
	for i := 0; i < testShards; i++ {
		assert.Contains(t, merges[0], filepath.Join(results, fmt.Sprintf("shard-%d", i)))
	}
	requireSameReport(t, reference(t, built), filepath.Join(results, "report"))

	// A requeued task resumes instead of failing on its existing directory.
	runScript(t, append(env, "SLURM_ARRAY_TASK_ID=1"), "bash", "slurm-sweep.sbatch")
}

// TestSlurmMergeNotSubmittedWhenAShardFails: afterok keeps the merge from
// running when a task failed (the fake sbatch refuses the dependency, as
// Slurm does once the array has failed, with --kill-on-invalid-dep).
func TestSlurmMergeNotSubmittedWhenAShardFails(t *testing.T) {
	stubs, state := fakeSlurm(t)
	env := []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "FAKE_SLURM=" + state, "REAL_NOISEGEOM=false",
		"NOISEGEOM=" + filepath.Join(stubs, "noisegeom-logged"), "SHARDS=2", "RESULTS=" + t.TempDir()}
	cmd := exec.Command("bash", "slurm-submit.sh")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "%s", out)
	assert.Contains(t, string(out), "Job dependency problem")
	for _, l := range lines(t, filepath.Join(state, "noisegeom")) {
		assert.NotEqual(t, "merge", strings.Fields(l)[0], "the merge ran after a failed shard")
	}
}

// TestSlurmScriptsRefuseWrongShape: the merge refuses to run as an array
// task, and a shard refuses an array whose size is not SHARDS.
func TestSlurmScriptsRefuseWrongShape(t *testing.T) {
	for _, tc := range []struct {
		script string
		env    []string
		msg    string
	}{
		{"slurm-merge.sbatch", []string{"SLURM_ARRAY_TASK_ID=3"}, "the merge must run once"},
		{"slurm-sweep.sbatch", []string{"SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_COUNT=4", "SHARDS=8"}, "the array has 4 tasks but SHARDS=8"},
		{"slurm-sweep.sbatch", nil, "--array=0-7"},
	} {
		cmd := exec.Command("bash", tc.script)
		cmd.Env = append(append(os.Environ(), "NOISEGEOM=false", "RESULTS="+t.TempDir(), "SLURM_ARRAY_TASK_ID=", "SLURM_ARRAY_TASK_COUNT="), tc.env...)
		out, err := cmd.CombinedOutput()
		assert.Error(t, err, "%s %v", tc.script, tc.env)
		assert.Contains(t, string(out), tc.msg, "%s %v", tc.script, tc.env)
	}
}

// The subset of the Kubernetes API (core/v1 PersistentVolumeClaim, batch/v1
// Job) that the manifests use, decoded with unknown fields refused: a
// misspelt or misplaced field fails, as the API server's strict field
// validation would reject it. validateObject checks what the API requires
// of the fields that are there.
type k8sObject struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	Spec       objectSpec `yaml:"spec"`
}

type objectMeta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

// objectSpec holds the fields of a PersistentVolumeClaimSpec and a JobSpec.
type objectSpec struct {
	AccessModes      []string      `yaml:"accessModes"`
	Resources        *k8sResources `yaml:"resources"`
	StorageClassName *string       `yaml:"storageClassName"`

	CompletionMode          string       `yaml:"completionMode"`
	Completions             *int         `yaml:"completions"`
	Parallelism             *int         `yaml:"parallelism"`
	BackoffLimit            *int         `yaml:"backoffLimit"`
	BackoffLimitPerIndex    *int         `yaml:"backoffLimitPerIndex"`
	TTLSecondsAfterFinished *int         `yaml:"ttlSecondsAfterFinished"`
	Template                *podTemplate `yaml:"template"`
}

type k8sResources struct {
	Requests map[string]string `yaml:"requests"`
	Limits   map[string]string `yaml:"limits"`
}

type podTemplate struct {
	Metadata *objectMeta `yaml:"metadata"`
	Spec     struct {
		RestartPolicy string      `yaml:"restartPolicy"`
		Containers    []container `yaml:"containers"`
		Volumes       []struct {
			Name                  string `yaml:"name"`
			PersistentVolumeClaim *struct {
				ClaimName string `yaml:"claimName"`
				ReadOnly  bool   `yaml:"readOnly"`
			} `yaml:"persistentVolumeClaim"`
		} `yaml:"volumes"`
	} `yaml:"spec"`
}

type container struct {
	Name            string   `yaml:"name"`
	Image           string   `yaml:"image"`
	ImagePullPolicy string   `yaml:"imagePullPolicy"`
	Command         []string `yaml:"command"`
	Args            []string `yaml:"args"`
	Env             []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	Resources    *k8sResources `yaml:"resources"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
}

var (
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	quantity = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)
)

// decodeManifests decodes every document of a multi-document YAML text.
func decodeManifests(text string) ([]k8sObject, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	var objs []k8sObject
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		objs = append(objs, o)
	}
}

func readManifests(t *testing.T, path string) []k8sObject {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	objs, err := decodeManifests(string(b))
	require.NoError(t, err, path)
	return objs
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// validateObject lists what the API server would reject in o.
func validateObject(o k8sObject) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if !dnsLabel.MatchString(o.Metadata.Name) || len(o.Metadata.Name) > 63 {
		bad("metadata.name %q is not a DNS-1123 label", o.Metadata.Name)
	}
	checkResources := func(where string, r *k8sResources) {
		if r == nil {
			return
		}
		for _, m := range []map[string]string{r.Requests, r.Limits} {
			for k, v := range m {
				if !quantity.MatchString(v) {
					bad("%s: %s %q is not a quantity", where, k, v)
				}
			}
		}
	}
	s := o.Spec
	switch {
	case o.Kind == "PersistentVolumeClaim" && o.APIVersion == "v1":
		if len(s.AccessModes) == 0 {
			bad("spec.accessModes is required")
		}
		for _, m := range s.AccessModes {
			if !oneOf(m, "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod") {
				bad("spec.accessModes: unknown mode %q", m)
			}
		}
		if s.Resources == nil || s.Resources.Requests["storage"] == "" {
			bad("spec.resources.requests.storage is required")
		}
		checkResources("spec.resources", s.Resources)
		if s.Template != nil || s.CompletionMode != "" || s.Completions != nil {
			bad("a PersistentVolumeClaim has no Job fields")
		}
	case o.Kind == "Job" && o.APIVersion == "batch/v1":
		if s.AccessModes != nil || s.Resources != nil || s.StorageClassName != nil {
			bad("a Job has no PersistentVolumeClaim fields")
		}
		if !oneOf(s.CompletionMode, "", "NonIndexed", "Indexed") {
			bad("spec.completionMode %q", s.CompletionMode)
		}
		if s.CompletionMode == "Indexed" && (s.Completions == nil || *s.Completions < 1) {
			bad("spec.completions is required (≥ 1) with completionMode Indexed")
		}
		if s.Parallelism != nil && *s.Parallelism < 0 {
			bad("spec.parallelism %d < 0", *s.Parallelism)
		}
		if s.Template == nil {
			bad("spec.template is required")
			break
		}
		ps := s.Template.Spec
		if !oneOf(ps.RestartPolicy, "Never", "OnFailure") {
			bad("spec.template.spec.restartPolicy must be Never or OnFailure in a Job, not %q", ps.RestartPolicy)
		}
		if s.BackoffLimitPerIndex != nil && (s.CompletionMode != "Indexed" || ps.RestartPolicy != "Never") {
			bad("spec.backoffLimitPerIndex needs completionMode Indexed and restartPolicy Never")
		}
		if len(ps.Containers) == 0 {
			bad("spec.template.spec.containers is required")
		}
		volumes := map[string]bool{}
		for _, v := range ps.Volumes {
			if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName == "" {
				bad("volume %q: no persistentVolumeClaim.claimName", v.Name)
			}
			volumes[v.Name] = true
		}
		for _, c := range ps.Containers {
			if !dnsLabel.MatchString(c.Name) {
				bad("container name %q is not a DNS-1123 label", c.Name)
			}
			if c.Image == "" {
				bad("container %s: image is required", c.Name)
			}
			if !oneOf(c.ImagePullPolicy, "", "Always", "IfNotPresent", "Never") {
				bad("container %s: imagePullPolicy %q", c.Name, c.ImagePullPolicy)
			}
			for _, e := range c.Env {
				if e.Name == "" {
					bad("container %s: an env entry has no name", c.Name)
				}
			}
			checkResources("container "+c.Name, c.Resources)
			for _, m := range c.VolumeMounts {
				if !volumes[m.Name] {
					bad("container %s: volumeMount %q names no volume", c.Name, m.Name)
				}
				if !strings.HasPrefix(m.MountPath, "/") {
					bad("container %s: mountPath %q is not absolute", c.Name, m.MountPath)
				}
			}
		}
	default:
		bad("unknown kind %s %s", o.APIVersion, o.Kind)
	}
	return errs
}

// TestManifestValidatorRejects: the validator finds each kind of mistake.
func TestManifestValidatorRejects(t *testing.T) {
	const job = `apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  completionMode: Indexed
  completions: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: "x:1", volumeMounts: [{name: v, mountPath: /r}]}]
      volumes: [{name: v, persistentVolumeClaim: {claimName: p}}]
`
	objs, err := decodeManifests(job)
	require.NoError(t, err)
	require.Empty(t, validateObject(objs[0]), "the valid base")
	for _, tc := range []struct{ old, new, want string }{
		{"completionMode", "completionmode", "field completionmode not found"},
		{"completions: 2", "completions: 0", "spec.completions is required"},
		{"restartPolicy: Never", "restartPolicy: Always", "must be Never or OnFailure"},
		{`image: "x:1", `, "", "image is required"},
		{"name: v, mountPath", "name: w, mountPath", `volumeMount "w" names no volume`},
		{"name: j}", "name: J}", "not a DNS-1123 label"},
		{"kind: Job", "kind: Jobs", "unknown kind"},
		{"claimName: p", "claim: p", "field claim not found"},
	} {
		text := strings.Replace(job, tc.old, tc.new, 1)
		require.NotEqual(t, job, text, tc.old)
		objs, err := decodeManifests(text)
		if err != nil {
			assert.ErrorContains(t, err, tc.want)
			continue
		}
		assert.Contains(t, strings.Join(validateObject(objs[0]), "; "), tc.want)
	}
}

// jobOf returns the one Job of a manifest file, checking every object.
func jobOf(t *testing.T, path string) k8sObject {
	t.Helper()
	var jobs []k8sObject
	for _, o := range readManifests(t, path) {
		assert.Empty(t, validateObject(o), "%s: %s %s", path, o.Kind, o.Metadata.Name)
		if o.Kind == "Job" {
			jobs = append(jobs, o)
		}
	}
	require.Len(t, jobs, 1, path)
	require.Len(t, jobs[0].Spec.Template.Spec.Containers, 1, path)
	return jobs[0]
}

func envValue(j k8sObject, name string) string {
	for _, e := range j.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// TestKubernetesManifests checks the manifests against the schema and
// against each other: an Indexed sweep whose SHARDS equals completions, a
// merge Job that runs once, one image both pull from a registry (an
// explicit tag and pull policy), a ReadWriteMany claim mounted where
// RESULTS points, and shell commands that parse.
func TestKubernetesManifests(t *testing.T) {
	objs := readManifests(t, "k8s-indexed-job.yaml")
	sweep, merge := jobOf(t, "k8s-indexed-job.yaml"), jobOf(t, "k8s-merge-job.yaml")
	claims := map[string]k8sObject{}
	for _, o := range objs {
		if o.Kind == "PersistentVolumeClaim" {
			claims[o.Metadata.Name] = o
		}
	}
	s := sweep.Spec
	assert.Equal(t, "Indexed", s.CompletionMode)
	require.NotNil(t, s.Completions)
	assert.Equal(t, fmt.Sprint(*s.Completions), envValue(sweep, "SHARDS"), "SHARDS must equal completions")
	if s.Parallelism != nil {
		assert.LessOrEqual(t, *s.Parallelism, *s.Completions)
	}
	m := merge.Spec
	assert.True(t, m.CompletionMode != "Indexed" && (m.Completions == nil || *m.Completions == 1), "the merge runs once")
	assert.Equal(t, envValue(sweep, "SHARDS"), envValue(merge, "SHARDS"), "the merge job's SHARDS")
	assert.Equal(t, envValue(sweep, "RESULTS"), envValue(merge, "RESULTS"))

	sc, mc := sweep.Spec.Template.Spec.Containers[0], merge.Spec.Template.Spec.Containers[0]
	assert.Equal(t, sc.Image, mc.Image, "both Jobs run the same image")
	assert.Equal(t, sc.ImagePullPolicy, mc.ImagePullPolicy)
	for _, c := range []container{sc, mc} {
		name, tag, hasTag := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":")
		assert.True(t, hasTag && tag != "latest" && name != "",
			"%s: image %q needs an explicit tag other than latest (latest implies imagePullPolicy Always)", c.Name, c.Image)
		assert.Contains(t, []string{"IfNotPresent", "Always"}, c.ImagePullPolicy, "%s: an explicit pull policy", c.Name)
	}
	for _, j := range []k8sObject{sweep, merge} {
		ps := j.Spec.Template.Spec
		c := ps.Containers[0]
		mounted := false
		for _, vm := range c.VolumeMounts {
			for _, v := range ps.Volumes {
				if v.Name != vm.Name {
					continue
				}
				claim, ok := claims[v.PersistentVolumeClaim.ClaimName]
				require.True(t, ok, "%s: claim %s is not defined in k8s-indexed-job.yaml", j.Metadata.Name, v.PersistentVolumeClaim.ClaimName)
				assert.Contains(t, claim.Spec.AccessModes, "ReadWriteMany", "pods on several nodes write the results")
				mounted = mounted || strings.HasPrefix(envValue(j, "RESULTS")+"/", vm.MountPath+"/")
			}
		}
		assert.True(t, mounted, "%s: RESULTS=%s is not on the claim's mount", j.Metadata.Name, envValue(j, "RESULTS"))
		require.Equal(t, []string{"/bin/sh", "-c"}, c.Command, j.Metadata.Name)
		require.Len(t, c.Args, 1, j.Metadata.Name)
		out, err := exec.Command("sh", "-n", "-c", c.Args[0]).CombinedOutput()
		assert.NoError(t, err, "%s: sh -n: %s", j.Metadata.Name, out)
	}
	// The comments say how the image gets to the cluster.
	text, err := os.ReadFile("k8s-indexed-job.yaml")
	require.NoError(t, err)
	for _, want := range []string{"docker build", "docker tag", "docker push", "kind load docker-image", "minikube image load", "imagePullPolicy"} {
		assert.True(t, strings.Contains(string(text), want), "the comments of k8s-indexed-job.yaml do not mention %q", want)
	}
}

// runContainer runs a container's command as the pod would, with PATH
// finding the built binary and the given environment on top of the
// manifest's.
func runContainer(t *testing.T, j k8sObject, bin string, env ...string) {
	t.Helper()
	c := j.Spec.Template.Spec.Containers[0]
	argv := append(append([]string{}, c.Command...), c.Args...)
	require.Equal(t, []string{"/bin/sh", "-c"}, argv[:2])
	var vars []string
	for _, e := range c.Env {
		vars = append(vars, e.Name+"="+e.Value)
	}
	vars = append(vars, env...)
	vars = append(vars, "PATH="+bin+":"+os.Getenv("PATH"))
	runScript(t, vars, "/bin/sh", "-c", strings.Join(argv[2:], " "))
}

func TestKubernetesIndexedJobMatchesWholeRun(t *testing.T) {
	sweep, merge := jobOf(t, "k8s-indexed-job.yaml"), jobOf(t, "k8s-merge-job.yaml")
	bin := buildNoisegeom(t)
	results := filepath.Join(t.TempDir(), "results")
	require.NoError(t, os.MkdirAll(results, 0o755))
	over := []string{fmt.Sprintf("SHARDS=%d", testShards), "SCALE=tiny", "RESULTS=" + results}
	// The manifest's command runs every experiment; restrict it the way a
	// user would, by appending --only to the reproduce line.
	c := &sweep.Spec.Template.Spec.Containers[0]
	c.Args = []string{strings.Replace(c.Args[0], "reproduce ", "reproduce --only "+testOnly+" ", 1)}
	require.Contains(t, c.Args[0], "--only", "the reproduce command line changed shape")
	for i := 0; i < testShards; i++ {
		runContainer(t, sweep, bin, append(over, fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))...)
	}
	runContainer(t, sweep, bin, append(over, "JOB_COMPLETION_INDEX=2")...) // a retried pod resumes
	runContainer(t, merge, bin, over...)
	requireSameReport(t, reference(t, bin), filepath.Join(results, "report"))
}

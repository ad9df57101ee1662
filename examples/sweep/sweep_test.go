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

func TestSlurmArrayMatchesWholeRun(t *testing.T) {
	bin := buildNoisegeom(t)
	script := "slurm-sweep.sbatch"
	text, err := os.ReadFile(script)
	require.NoError(t, err)
	// The header's array size and the default SHARDS agree.
	arr := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)$`).FindSubmatch(text)
	shards := regexp.MustCompile(`SHARDS="\$\{SHARDS:-(\d+)\}"`).FindSubmatch(text)
	require.NotNil(t, arr, "no #SBATCH --array=0-K line")
	require.NotNil(t, shards, "no SHARDS default")
	var k, n int
	fmt.Sscan(string(arr[1]), &k)
	fmt.Sscan(string(shards[1]), &n)
	require.Equal(t, n, k+1, "--array=0-%d must give SHARDS=%d tasks", k, n)

	results := filepath.Join(t.TempDir(), "sweep")
	env := []string{"NOISEGEOM=" + filepath.Join(bin, "noisegeom"), fmt.Sprintf("SHARDS=%d", testShards),
		"RESULTS=" + results, "SCALE=tiny", "ONLY=" + testOnly}
	for i := 0; i < testShards; i++ {
		runScript(t, append(env, fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", i)), "bash", script)
	}
	// A requeued task resumes instead of failing on its existing directory.
	runScript(t, append(env, "SLURM_ARRAY_TASK_ID=1"), "bash", script)
	runScript(t, append(env, "MERGE=1"), "bash", script)
	requireSameReport(t, reference(t, bin), filepath.Join(results, "report"))
}

// k8sJob is the part of a Job manifest the test checks and runs.
type k8sJob struct {
	Kind string `yaml:"kind"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				Containers []struct {
					Command []string `yaml:"command"`
					Args    []string `yaml:"args"`
					Env     []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// readJob returns the Job document of a multi-document YAML file.
func readJob(t *testing.T, path string) k8sJob {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	dec := yaml.NewDecoder(f)
	for {
		var j k8sJob
		err := dec.Decode(&j)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, path)
		if j.Kind == "Job" {
			require.Len(t, j.Spec.Template.Spec.Containers, 1, path)
			return j
		}
	}
	t.Fatalf("%s: no Job", path)
	return k8sJob{}
}

// runContainer runs a container's command as the pod would, with PATH
// finding the built binary and the given environment on top of the
// manifest's.
func runContainer(t *testing.T, j k8sJob, bin string, env ...string) {
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

func envValue(j k8sJob, name string) string {
	for _, e := range j.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func TestKubernetesIndexedJobMatchesWholeRun(t *testing.T) {
	sweep := readJob(t, "k8s-indexed-job.yaml")
	merge := readJob(t, "k8s-merge-job.yaml")
	assert.Equal(t, "Indexed", sweep.Spec.CompletionMode)
	assert.Equal(t, fmt.Sprint(sweep.Spec.Completions), envValue(sweep, "SHARDS"), "SHARDS must equal completions")
	assert.Equal(t, envValue(sweep, "SHARDS"), envValue(merge, "SHARDS"), "the merge job's SHARDS")
	assert.Equal(t, envValue(sweep, "RESULTS"), envValue(merge, "RESULTS"))

	bin := buildNoisegeom(t)
	results := filepath.Join(t.TempDir(), "results")
	require.NoError(t, os.MkdirAll(results, 0o755))
	over := []string{fmt.Sprintf("SHARDS=%d", testShards), "SCALE=tiny", "RESULTS=" + results}
	// The manifest's command runs every experiment; restrict it the way a
	// user would, by appending --only to the reproduce line.
	only := sweep
	c := &only.Spec.Template.Spec.Containers[0]
	c.Args = []string{strings.Replace(c.Args[0], "reproduce ", "reproduce --only "+testOnly+" ", 1)}
	require.Contains(t, c.Args[0], "--only", "the reproduce command line changed shape")
	for i := 0; i < testShards; i++ {
		runContainer(t, only, bin, append(over, fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))...)
	}
	runContainer(t, only, bin, append(over, "JOB_COMPLETION_INDEX=2")...) // a retried pod resumes
	runContainer(t, merge, bin, over...)
	requireSameReport(t, reference(t, bin), filepath.Join(results, "report"))
}

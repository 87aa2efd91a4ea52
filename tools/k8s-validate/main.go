// k8s-validate: strict, offline schema check of rendered Kubernetes YAML (kustomize build output) against k8s.io/api types.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// report is what the tests read: every document as JSON (so they need no YAML parser) and every problem found.
type report struct {
	Objects []json.RawMessage `json:"objects"`
	Errors  []problem         `json:"errors"`
}

type problem struct {
	Index   int    `json:"index"`
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	// Only the groups this platform deploys: anything else (a typo in apiVersion or kind) is reported, not skipped.
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

func main() {
	var in io.Reader = os.Stdin
	if len(os.Args) > 1 && os.Args[1] != "-" {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	rep, err := validate(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out, _ := json.Marshal(rep)
	fmt.Println(string(out))
	if len(rep.Errors) > 0 {
		os.Exit(1)
	}
}

func validate(in io.Reader) (*report, error) {
	scheme := newScheme()
	// Strict: unknown and duplicate fields are errors (the API server only warns, and kubectl drops them silently).
	strict := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Yaml: false, Strict: true})
	rep := &report{Objects: []json.RawMessage{}, Errors: []problem{}}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for index := 0; ; {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return rep, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 || strings.TrimSpace(string(doc)) == "---" {
			continue
		}
		raw, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			rep.Errors = append(rep.Errors, problem{Index: index, Message: "yaml: " + err.Error()})
			index++
			continue
		}
		rep.Objects = append(rep.Objects, raw)
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		_ = json.Unmarshal(raw, &meta)
		add := func(msg string) {
			rep.Errors = append(rep.Errors, problem{Index: index, Kind: meta.Kind, Name: meta.Metadata.Name, Message: msg})
		}
		obj, _, err := strict.Decode(raw, nil, nil)
		switch {
		case err != nil && runtime.IsStrictDecodingError(err):
			add("strict decoding: " + err.Error())
		case err != nil:
			add("decoding: " + err.Error())
		default:
			for _, msg := range check(obj) {
				add(msg)
			}
		}
		index++
	}
}

// check adds the API server's own structural rules that the types alone do not express.
func check(obj runtime.Object) []string {
	var msgs []string
	need := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	if m, ok := obj.(interface{ GetName() string }); ok {
		need(m.GetName() != "", "metadata.name is required")
	}
	podSpec := func(path string, labels map[string]string, sel map[string]string, spec corev1.PodSpec) {
		for k, v := range sel {
			need(labels[k] == v, fmt.Sprintf("%s: selector %s=%s does not match the template labels", path, k, v))
		}
		need(len(sel) > 0, path+": selector.matchLabels is required")
		need(len(spec.Containers) > 0, path+": at least one container is required")
		for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
			need(c.Name != "" && c.Image != "", path+": every container needs a name and an image")
			for _, p := range c.Ports {
				need(p.ContainerPort > 0 && p.ContainerPort < 65536, fmt.Sprintf("%s: container %s port %d out of range", path, c.Name, p.ContainerPort))
			}
			for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe, c.StartupProbe} {
				if pr == nil {
					continue
				}
				n := 0
				for _, set := range []bool{pr.HTTPGet != nil, pr.TCPSocket != nil, pr.Exec != nil, pr.GRPC != nil} {
					if set {
						n++
					}
				}
				need(n == 1, fmt.Sprintf("%s: container %s: a probe needs exactly one handler", path, c.Name))
			}
			for _, e := range c.Env {
				need(e.Name != "", path+": env entry without a name")
				need(e.Value == "" || e.ValueFrom == nil, fmt.Sprintf("%s: env %s has both value and valueFrom", path, e.Name))
			}
		}
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		need(o.Spec.Selector != nil, "spec.selector is required")
		if o.Spec.Selector != nil {
			podSpec("spec.template", o.Spec.Template.Labels, o.Spec.Selector.MatchLabels, o.Spec.Template.Spec)
		}
	case *appsv1.StatefulSet:
		need(o.Spec.Selector != nil, "spec.selector is required")
		if o.Spec.Selector != nil {
			podSpec("spec.template", o.Spec.Template.Labels, o.Spec.Selector.MatchLabels, o.Spec.Template.Spec)
		}
	case *corev1.Service:
		need(len(o.Spec.Ports) > 0, "spec.ports is required")
		for _, p := range o.Spec.Ports {
			need(p.Port > 0 && p.Port < 65536, fmt.Sprintf("service port %d out of range", p.Port))
			need(p.NodePort == 0 || o.Spec.Type == corev1.ServiceTypeNodePort || o.Spec.Type == corev1.ServiceTypeLoadBalancer, "nodePort set on a service that is not NodePort/LoadBalancer")
			need(p.NodePort == 0 || (p.NodePort >= 30000 && p.NodePort <= 32767), fmt.Sprintf("nodePort %d outside the default 30000-32767 range", p.NodePort))
		}
	}
	return msgs
}

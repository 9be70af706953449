package io.catchment.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.catchment.config.ConfigException;
import io.catchment.config.ServerSettings;
import io.catchment.config.Setting;
import io.catchment.config.Settings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** deploy/kubernetes checked against the Kubernetes API types and against Catchment's own settings. */
@Timeout(60)
class DeployManifestsTest {
    private static final Path DIR = Path.of("deploy/kubernetes");
    private static final String NAMESPACE = "catchment";

    private static KubernetesManifests manifests;

    @BeforeAll
    static void read() throws IOException {
        manifests = KubernetesManifests.readDirectory(DIR);
    }

    @Test
    void every_document_is_a_known_kubernetes_type_without_unknown_fields() {
        // readDirectory already failed on any unknown field; this pins what was read
        assertThat(manifests.all())
                .extracting(m -> m.object().getKind())
                .contains(
                        "Namespace",
                        "ConfigMap",
                        "Secret",
                        "Deployment",
                        "Service",
                        "HorizontalPodAutoscaler",
                        "PodDisruptionBudget");
        for (var m : manifests.all()) {
            assertThat(m.object().getMetadata().getName())
                    .as(m.origin() + " metadata.name")
                    .isNotBlank();
            if (!(m.object() instanceof Namespace)) {
                assertThat(m.object().getMetadata().getNamespace())
                        .as(m.origin() + " metadata.namespace")
                        .isEqualTo(NAMESPACE);
            }
        }
        assertThat(manifests.find(Namespace.class, NAMESPACE)).isPresent();
    }

    @Test
    void kustomization_lists_exactly_the_manifest_files() throws IOException {
        JsonNode k = new YAMLMapper().readTree(DIR.resolve("kustomization.yaml").toFile());
        List<String> listed = new ArrayList<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        assertThat(listed)
                .containsExactlyInAnyOrderElementsOf(KubernetesManifests.manifestFiles(DIR).stream()
                        .map(f -> f.getFileName().toString())
                        .toList());
        assertThat(k.path("namespace").asText()).isEqualTo(NAMESPACE);
    }

    @Test
    void every_deployment_probes_readyz_and_healthz_on_its_container_port() {
        for (Deployment d : deployments()) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                String what = name(d) + " container " + c.getName();
                int port = catchmentPort(c);
                assertThat(c.getPorts())
                        .as(what + " ports")
                        .extracting(ContainerPort::getContainerPort)
                        .contains(port);
                assertHttpProbe(what + " readinessProbe", c.getReadinessProbe(), "/readyz", c, port);
                assertHttpProbe(what + " livenessProbe", c.getLivenessProbe(), "/healthz", c, port);
            }
        }
    }

    @Test
    void every_deployment_is_scraped_by_prometheus_on_metrics() {
        for (Deployment d : deployments()) {
            int port = catchmentPort(
                    d.getSpec().getTemplate().getSpec().getContainers().get(0));
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .as(name(d) + " pod annotations")
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", String.valueOf(port))
                    .containsEntry("prometheus.io/path", "/metrics");
        }
    }

    @Test
    void every_container_has_cpu_and_memory_requests_within_limits_and_a_heap_share() {
        for (Deployment d : deployments()) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                String what = name(d) + " container " + c.getName();
                Map<String, Quantity> requests = c.getResources().getRequests();
                Map<String, Quantity> limits = c.getResources().getLimits();
                assertThat(requests).as(what + " requests").containsKeys("cpu", "memory");
                assertThat(limits).as(what + " limits").containsKeys("cpu", "memory");
                for (String r : List.of("cpu", "memory")) {
                    assertThat(requests.get(r))
                            .as(what + " " + r + " request vs limit")
                            .isLessThanOrEqualTo(limits.get(r));
                }
                // the image runs `java -jar` directly: only JAVA_TOOL_OPTIONS reaches the JVM, JAVA_OPTS would be
                // ignored
                Map<String, String> env = manifests.environment(c);
                assertThat(env).as(what + " env").doesNotContainKey("JAVA_OPTS");
                assertThat(env.get("JAVA_TOOL_OPTIONS"))
                        .as(what + " JAVA_TOOL_OPTIONS")
                        .contains("-XX:MaxRAMPercentage=");
            }
        }
    }

    @Test
    void pods_run_as_non_root_on_a_read_only_root_with_empty_dirs_for_data_and_tmp() {
        for (Deployment d : deployments()) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot())
                    .as(name(d) + " runAsNonRoot")
                    .isTrue();
            // a Service named "catchment" would otherwise inject CATCHMENT_PORT=tcp://... into every pod
            assertThat(pod.getEnableServiceLinks())
                    .as(name(d) + " enableServiceLinks")
                    .isFalse();
            Set<String> emptyDirs = pod.getVolumes().stream()
                    .filter(v -> v.getEmptyDir() != null)
                    .map(Volume::getName)
                    .collect(Collectors.toSet());
            for (Container c : pod.getContainers()) {
                String what = name(d) + " container " + c.getName();
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
                        .as(what + " readOnlyRootFilesystem")
                        .isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation())
                        .as(what + " allowPrivilegeEscalation")
                        .isFalse();
                String dataDir = manifests
                        .environment(c)
                        .getOrDefault("CATCHMENT_DATA_DIR", ServerSettings.DATA_DIR.defaultValue());
                for (String path : List.of(dataDir, "/tmp")) {
                    assertThat(c.getVolumeMounts())
                            .as(what + " writable " + path)
                            .anyMatch(m -> m.getMountPath().equals(path) && emptyDirs.contains(m.getName()));
                }
            }
        }
    }

    @Test
    void collectors_only_collect_and_loaders_load_within_the_partition_count() {
        Deployment collector = deployment("catchment-collector");
        Deployment loader = deployment("catchment-loader");
        assertThat(env(collector)).containsEntry("CATCHMENT_LOADER_ENABLED", "false");
        assertThat(env(loader)).containsEntry("CATCHMENT_LOADER_ENABLED", "true");
        for (Deployment d : List.of(collector, loader)) {
            assertThat(env(d))
                    .as(name(d))
                    .containsEntry("CATCHMENT_LOG_TYPE", "kafka")
                    .containsEntry("CATCHMENT_STORE_TYPE", "clickhouse");
        }
        int partitions = Integer.parseInt(env(loader).get("CATCHMENT_KAFKA_PARTITIONS"));
        assertThat(loader.getSpec().getReplicas())
                .as("loader replicas (one consumer per partition)")
                .isBetween(1, partitions);
    }

    @Test
    void the_hpa_scales_the_collector_deployment_on_cpu() {
        List<HorizontalPodAutoscaler> hpas = manifests.of(HorizontalPodAutoscaler.class);
        assertThat(hpas).hasSize(1);
        var spec = hpas.get(0).getSpec();
        assertThat(spec.getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
        assertThat(spec.getScaleTargetRef().getKind()).isEqualTo("Deployment");
        Deployment target = deployment(spec.getScaleTargetRef().getName());
        assertThat(env(target))
                .as("the HPA's target is a collector")
                .containsEntry("CATCHMENT_LOADER_ENABLED", "false");
        // a replica count in the Deployment would be reset by every `kubectl apply`, fighting the HPA
        assertThat(target.getSpec().getReplicas())
                .as(name(target) + " replicas")
                .isNull();
        assertThat(spec.getMinReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(spec.getMaxReplicas()).isGreaterThan(spec.getMinReplicas());
        assertThat(spec.getMetrics()).anySatisfy(m -> {
            assertThat(m.getType()).isEqualTo("Resource");
            assertThat(m.getResource().getName()).isEqualTo("cpu");
            assertThat(m.getResource().getTarget().getAverageUtilization()).isBetween(1, 100);
        });
    }

    @Test
    void every_referenced_config_map_and_secret_exists_with_the_referenced_key() {
        deployments();
        assertThat(manifests.danglingReferences()).isEmpty();
    }

    @Test
    void services_and_disruption_budgets_select_existing_pods() {
        for (Service s : manifests.of(Service.class)) {
            List<Deployment> selected = selectedBy(s.getSpec().getSelector());
            assertThat(selected)
                    .as("pods of Service " + s.getMetadata().getName())
                    .isNotEmpty();
            for (ServicePort p : s.getSpec().getPorts()) {
                for (Deployment d : selected) {
                    Container c =
                            d.getSpec().getTemplate().getSpec().getContainers().get(0);
                    assertThat(isContainerPort(p.getTargetPort(), c, catchmentPort(c)))
                            .as("Service " + s.getMetadata().getName() + " targetPort " + p.getTargetPort() + " on "
                                    + name(d))
                            .isTrue();
                }
            }
        }
        assertThat(manifests.of(PodDisruptionBudget.class))
                .hasSameSizeAs(deployments())
                .allSatisfy(b -> assertThat(selectedBy(b.getSpec().getSelector().getMatchLabels()))
                        .as("pods of PDB " + b.getMetadata().getName())
                        .hasSize(1));
    }

    @Test
    void every_catchment_variable_is_a_known_setting() {
        assertThat(unknownCatchmentVariables(manifests)).isEmpty();
    }

    @Test
    void secret_placeholders_stop_start_up_until_replaced() {
        Secret secret = manifests.find(Secret.class, "catchment-secrets").orElseThrow();
        Map<String, String> values = KubernetesManifests.secretValues(secret);
        for (Setting<?> key : List.of(ServerSettings.WRITE_KEYS, ServerSettings.ADMIN_KEY)) {
            assertThat(values.get(key.env())).as(key.env()).contains("change-me");
            assertThatThrownBy(() -> key.parse(values.get(key.env()), "secret.yaml"))
                    .as(key.env() + " placeholder")
                    .isInstanceOf(ConfigException.class);
        }
    }

    @Test
    void validator_rejects_a_misspelt_field_naming_it() {
        String probe = VALID_DEPLOYMENT.replace("readinessProbe:", "readinessProbes:");
        assertThatThrownBy(() -> KubernetesManifests.parse(probe, "inline.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "inline.yaml#1 (apps/v1/Deployment) at spec.template.spec.containers[0].readinessProbes");
        String port = VALID_DEPLOYMENT.replace("containerPort:", "containerport:");
        assertThatThrownBy(() -> KubernetesManifests.parse(port, "inline.yaml"))
                .hasMessageContaining("spec.template.spec.containers[0].ports[0].containerport");
        String twice =
                VALID_DEPLOYMENT.replace("image: catchment:test", "image: catchment:test\n          image: other");
        assertThatThrownBy(() -> KubernetesManifests.parse(twice, "inline.yaml"))
                .hasMessageContaining("Duplicate field 'image'");
        assertThat(KubernetesManifests.parse(VALID_DEPLOYMENT, "inline.yaml").of(Deployment.class))
                .hasSize(1);
    }

    @Test
    void validator_rejects_an_unknown_catchment_variable() {
        String misspelt = VALID_DEPLOYMENT.replace("CATCHMENT_LOADER_ENABLED", "CATCHMENT_LOADER_ENABLE");
        var parsed = KubernetesManifests.parse(misspelt, "inline.yaml");
        assertThat(unknownCatchmentVariables(parsed)).singleElement().asString().contains("CATCHMENT_LOADER_ENABLE ");
        assertThat(unknownCatchmentVariables(KubernetesManifests.parse(VALID_DEPLOYMENT, "inline.yaml")))
                .isEmpty();
    }

    private static final String VALID_DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: d, namespace: catchment}
      spec:
        selector: {matchLabels: {app: d}}
        template:
          metadata: {labels: {app: d}}
          spec:
            containers:
              - name: catchment
                image: catchment:test
                ports: [{name: http, containerPort: 8080}]
                env: [{name: CATCHMENT_LOADER_ENABLED, value: "false"}]
                readinessProbe: {httpGet: {path: /readyz, port: http}}
      """;

    /** Each CATCHMENT_* name a container gets (env, or a key of an envFrom object) that Catchment does not read. */
    static List<String> unknownCatchmentVariables(KubernetesManifests m) {
        Set<String> known = Settings.ALL.stream().map(Setting::env).collect(Collectors.toSet());
        List<String> unknown = new ArrayList<>();
        for (Deployment d : m.of(Deployment.class)) {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            for (Container c : Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream())
                    .toList()) {
                for (String name : m.environment(c).keySet()) {
                    if (name.startsWith("CATCHMENT_") && !known.contains(name)) {
                        unknown.add(
                                name(d) + " container " + c.getName() + ": " + name + " is not a Catchment setting");
                    }
                }
            }
        }
        return unknown;
    }

    private static void assertHttpProbe(String what, Probe probe, String path, Container c, int port) {
        assertThat(probe).as(what).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as(what + " httpGet").isNotNull();
        assertThat(get.getPath()).as(what + " path").isEqualTo(path);
        assertThat(isContainerPort(get.getPort(), c, port))
                .as(what + " port " + get.getPort() + " is " + port)
                .isTrue();
    }

    /** A port given by number or by name that resolves to {@code port} on container {@code c}. */
    private static boolean isContainerPort(IntOrString ref, Container c, int port) {
        if (ref.getIntVal() != null) return ref.getIntVal() == port;
        return c.getPorts().stream().anyMatch(p -> ref.getStrVal().equals(p.getName()) && p.getContainerPort() == port);
    }

    /** The port Catchment listens on in this container: CATCHMENT_PORT, else the setting's default. */
    private static int catchmentPort(Container c) {
        return Integer.parseInt(
                manifests.environment(c).getOrDefault(ServerSettings.PORT.env(), ServerSettings.PORT.defaultValue()));
    }

    private static List<Deployment> selectedBy(Map<String, String> selector) {
        return manifests.podsSelectedBy(selector);
    }

    private static List<Deployment> deployments() {
        List<Deployment> all = manifests.of(Deployment.class);
        assertThat(all).as("Deployments in " + DIR).isNotEmpty();
        return all;
    }

    private static Deployment deployment(String name) {
        return manifests.find(Deployment.class, name).orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static Map<String, String> env(Deployment d) {
        return manifests.environment(
                d.getSpec().getTemplate().getSpec().getContainers().get(0));
    }

    private static String name(Deployment d) {
        return "Deployment " + d.getMetadata().getName();
    }
}

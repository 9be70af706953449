package io.catchment.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.catchment.config.CatchmentConfig;
import io.catchment.config.ConfigLoader;
import io.catchment.config.Setting;
import io.catchment.config.Settings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes-sqs, the overlay for {@code log.type=sqs}: its files are Kubernetes types without unknown fields,
 * and the collectors' and loaders' environment it makes (the base's, patched) is a valid Catchment configuration on SQS.
 */
class SqsOverlayTest {
    private static final Path BASE = Path.of("deploy/kubernetes");
    private static final Path DIR = Path.of("deploy/kubernetes-sqs");

    @Test
    void the_overlay_lists_its_files_and_builds_on_the_base() throws Exception {
        JsonNode k = new YAMLMapper().readTree(DIR.resolve("kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        k.path("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).containsExactly("../kubernetes", "serviceaccount.yaml");
        List<String> files = new ArrayList<>(resources.subList(1, resources.size()));
        k.path("patches").forEach(p -> {
            if (p.has("path")) files.add(p.get("path").asText());
        });
        try (var listed = Files.list(DIR)) {
            assertThat(listed.map(f -> f.getFileName().toString()).filter(f -> !f.equals("kustomization.yaml")))
                    .containsExactlyInAnyOrderElementsOf(files);
        }
        assertThat(k.path("patches").toString()).contains("/spec/template/spec/serviceAccountName", "catchment");
        ServiceAccount sa = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build()
                .readValue(DIR.resolve("serviceaccount.yaml").toFile(), ServiceAccount.class);
        assertThat(sa.getMetadata().getName()).isEqualTo("catchment");
        assertThat(sa.getMetadata().getAnnotations()).containsKey("eks.amazonaws.com/role-arn");
        Deployment loader = KubernetesManifests.parse(Files.readString(DIR.resolve("loader.yaml")), "loader.yaml")
                .of(Deployment.class)
                .get(0);
        assertThat(loader.getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void the_patched_environment_is_a_valid_sqs_configuration_of_known_settings() throws Exception {
        ConfigMap base = KubernetesManifests.readDirectory(BASE)
                .find(ConfigMap.class, "catchment-config")
                .orElseThrow();
        ConfigMap patch = KubernetesManifests.parse(Files.readString(DIR.resolve("configmap.yaml")), "configmap.yaml")
                .of(ConfigMap.class)
                .get(0);
        Map<String, String> env = new HashMap<>(base.getData());
        patch.getData().forEach((key, v) -> {
            if (v == null) env.remove(key); // a strategic merge patch deletes a key set to null
            else env.put(key, v);
        });
        Set<String> known = Settings.ALL.stream().map(Setting::env).collect(Collectors.toSet());
        assertThat(env.keySet()).allMatch(known::contains);
        assertThat(env.keySet()).noneMatch(key -> key.startsWith("CATCHMENT_KAFKA_"));
        env.put("CATCHMENT_WRITE_KEYS", "test_write_key_1=web");
        env.put("CATCHMENT_ADMIN_KEY", "test_admin_key_1");
        CatchmentConfig c = new ConfigLoader(env).load(null, Map.of());
        assertThat(c.log().sqs()).isTrue();
        assertThat(c.sqs().queue()).isEqualTo("catchment-events");
        assertThat(c.sqs().receivers()).isEqualTo(8);
        assertThat(c.sqs().maxReceiveCount()).isEqualTo(5);
    }
}

package io.catchment.deploy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Kubernetes manifests read into fabric8's typed API objects, strictly: a field the Kubernetes schema does not have
 * (a typo such as {@code readinessProbes} or {@code containerport}), a duplicated key, or an apiVersion/kind this
 * class has no type for is an {@link IllegalArgumentException} naming the file, the document and the field.
 *
 * <p>fabric8 keeps unknown fields in each object's {@code additionalProperties} instead of failing; the mapper here
 * turns that catch-all off so that Jackson's FAIL_ON_UNKNOWN_PROPERTIES applies. Immutable once read.
 */
final class KubernetesManifests {
    /** One parsed document and where it came from ({@code collector.yaml#2}), for messages. */
    record Manifest(String origin, HasMetadata object) {}

    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    private static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE; // no additionalProperties catch-all: unknown fields fail
                }
            })
            .build();

    private final List<Manifest> manifests;

    private KubernetesManifests(List<Manifest> manifests) {
        this.manifests = List.copyOf(manifests);
    }

    /** Every document of every {@code *.yaml} file in {@code dir} but {@code kustomization.yaml}. */
    static KubernetesManifests readDirectory(Path dir) throws IOException {
        List<Manifest> all = new ArrayList<>();
        for (Path f : manifestFiles(dir)) {
            all.addAll(parse(Files.readString(f), f.getFileName().toString()).manifests);
        }
        return new KubernetesManifests(all);
    }

    static List<Path> manifestFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        }
    }

    /** Parses a multi-document YAML string; {@code origin} names it in error messages. */
    static KubernetesManifests parse(String yaml, String origin) {
        List<Manifest> out = new ArrayList<>();
        int index = 0;
        try (var docs = STRICT.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                index++;
                if (doc == null || doc.isNull() || doc.isMissingNode()) continue;
                String where = origin + "#" + index;
                String type =
                        doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                Class<? extends HasMetadata> cls = TYPES.get(type);
                if (cls == null) {
                    throw new IllegalArgumentException(where + ": apiVersion/kind " + type + " is not one of "
                            + TYPES.keySet() + "; add its fabric8 model to the pom and to KubernetesManifests.TYPES");
                }
                try {
                    out.add(new Manifest(where, STRICT.treeToValue(doc, cls)));
                } catch (JsonMappingException e) {
                    throw new IllegalArgumentException(
                            where + " (" + type + ") at " + path(e) + ": " + e.getOriginalMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    origin + ": not valid YAML (document " + (index + 1) + "): " + e.getMessage(), e);
        }
        return new KubernetesManifests(out);
    }

    /** {@code spec.template.spec.containers[0].readinessProbes}, the way kubectl names a field. */
    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.length() > 0 ? "." : "").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "the top level" : b.toString();
    }

    List<Manifest> all() {
        return manifests;
    }

    <T extends HasMetadata> List<T> of(Class<T> type) {
        return manifests.stream()
                .map(Manifest::object)
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return of(type).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .findFirst();
    }

    /**
     * The environment a container starts with, as far as the manifests say: envFrom ConfigMaps and Secrets in order,
     * then {@code env} entries ({@code valueFrom} ones as {@code <from ...>}). References to missing objects are skipped
     * here; {@link DeployManifestsTest} reports them.
     */
    Map<String, String> environment(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                find(ConfigMap.class, from.getConfigMapRef().getName())
                        .ifPresent(m -> m.getData().forEach((k, v) -> env.put(prefix + k, v)));
            }
            if (from.getSecretRef() != null) {
                find(Secret.class, from.getSecretRef().getName())
                        .ifPresent(s -> secretValues(s).forEach((k, v) -> env.put(prefix + k, v)));
            }
        }
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValueFrom() != null ? "<from " + e.getValueFrom() + ">" : e.getValue());
        }
        return env;
    }

    /** Deployments whose pod template carries every label of {@code selector}. */
    List<Deployment> podsSelectedBy(Map<String, String> selector) {
        return of(Deployment.class).stream()
                .filter(d -> d.getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getLabels()
                        .entrySet()
                        .containsAll(selector.entrySet()))
                .toList();
    }

    /** Each ConfigMap or Secret (or key of one) that a Deployment's containers read but the manifests do not hold. */
    List<String> danglingReferences() {
        List<String> missing = new ArrayList<>();
        for (Deployment d : of(Deployment.class)) {
            String who = "Deployment " + d.getMetadata().getName();
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            for (Container c : Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream())
                    .toList()) {
                for (EnvFromSource from : c.getEnvFrom()) {
                    if (from.getConfigMapRef() != null) {
                        require(
                                missing,
                                who,
                                ConfigMap.class,
                                from.getConfigMapRef().getName(),
                                null);
                    }
                    if (from.getSecretRef() != null)
                        require(missing, who, Secret.class, from.getSecretRef().getName(), null);
                }
                for (EnvVar e : c.getEnv()) {
                    EnvVarSource from = e.getValueFrom();
                    if (from != null && from.getConfigMapKeyRef() != null) {
                        var ref = from.getConfigMapKeyRef();
                        require(missing, who, ConfigMap.class, ref.getName(), ref.getKey());
                    }
                    if (from != null && from.getSecretKeyRef() != null) {
                        require(
                                missing,
                                who,
                                Secret.class,
                                from.getSecretKeyRef().getName(),
                                from.getSecretKeyRef().getKey());
                    }
                }
            }
        }
        return missing;
    }

    private void require(List<String> missing, String who, Class<? extends HasMetadata> type, String name, String key) {
        Optional<? extends HasMetadata> found = find(type, name);
        if (found.isEmpty()) {
            missing.add(who + " reads " + type.getSimpleName() + " " + name + ", which the manifests do not hold");
        } else if (key != null) {
            Set<String> keys = found.get() instanceof ConfigMap m
                    ? m.getData().keySet()
                    : secretValues((Secret) found.get()).keySet();
            if (!keys.contains(key))
                missing.add(who + " reads key " + key + " of " + name + ", which has only " + keys);
        }
    }

    /** A Secret's keys with their values: {@code stringData} as written, {@code data} still base64. */
    static Map<String, String> secretValues(Secret s) {
        Map<String, String> values = new LinkedHashMap<>(s.getData());
        values.putAll(s.getStringData());
        return values;
    }
}

package io.catchment;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, held on the compiled main code: implementations are packages named by
 * their technology, they never use each other, only {@link Backends} picks them (the benchmarks, which time one
 * technology against its own baseline, and the two commands that exist for one technology are named exceptions), and
 * {@code config} and {@code event} stand on no other package of the project.
 */
class ArchitectureTest {
    static final List<String> IMPLEMENTATIONS = List.of(
            "io.catchment.log.local..",
            "io.catchment.log.kafka..",
            "io.catchment.log.sqs..",
            "io.catchment.sink.duckdb..",
            "io.catchment.sink.clickhouse..");
    static JavaClasses main;

    @BeforeAll
    static void importMainCode() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.catchment");
    }

    @Test
    void implementations_never_use_each_other() {
        for (String a : IMPLEMENTATIONS) {
            for (String b : IMPLEMENTATIONS) {
                if (a.equals(b)) continue;
                noClasses()
                        .that()
                        .resideInAPackage(a)
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage(b)
                        .because(
                                "a log or store implementation stands on the seam's API, not on another implementation")
                        .check(main);
            }
        }
    }

    @Test
    void only_backends_picks_an_implementation() {
        noClasses()
                .that()
                .resideOutsideOfPackages(IMPLEMENTATIONS.toArray(String[]::new))
                .and()
                .doNotHaveFullyQualifiedName(Backends.class.getName())
                .and()
                .resideOutsideOfPackage("io.catchment.bench..") // benchmarks time one technology against its baseline
                .and()
                .haveNameNotMatching("io\\.catchment\\.loader\\.KafkaLoaders(\\$.*)?") // a loader per Kafka partition
                .and()
                .haveNameNotMatching("io\\.catchment\\.loader\\.SqsLoaders(\\$.*)?") // SQS receivers, one loader each
                .and()
                .haveNameNotMatching("io\\.catchment\\.cli\\.LogCommand(\\$.*)?") // `log repair`: the local log's tool
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(IMPLEMENTATIONS.toArray(String[]::new))
                .because("implementations are picked in one place from config (Backends)")
                .check(main);
    }

    @Test
    void config_and_event_stand_on_no_other_package_of_the_project() {
        DescribedPredicate<JavaClass> otherProjectPackage = resideInAPackage("io.catchment..")
                .and(not(resideInAnyPackage("io.catchment.config..", "io.catchment.event..")))
                .and(not(type(CatchmentException.class)))
                .as("another package of the project");
        noClasses()
                .that()
                .resideInAnyPackage("io.catchment.config..", "io.catchment.event..")
                .should()
                .dependOnClassesThat(otherProjectPackage)
                .because("config and event are the floor every other package stands on (with the one unchecked root)")
                .check(main);
    }
}

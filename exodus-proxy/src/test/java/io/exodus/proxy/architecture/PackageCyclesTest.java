package io.exodus.proxy.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The folder tree is the architecture: no package of the proxy depends, through any path, on itself. */
class PackageCyclesTest {

    @Test
    void thePackagesOfTheProxyHaveNoCycles() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.exodus.proxy");
        slices().matching("io.exodus.proxy.(*)..").should().beFreeOfCycles().check(classes);
    }
}

package vagoth.api.provision;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** The templates a provisioner expands ({@code new NAME template=debian}). */
@ProviderType
public interface TemplateCatalog {

    /**
     * Every template by name, with the definition pairs it gives.
     *
     * @throws ProvisioningException naming a template file that cannot be read
     */
    Map<String, Map<String, String>> templates();
}

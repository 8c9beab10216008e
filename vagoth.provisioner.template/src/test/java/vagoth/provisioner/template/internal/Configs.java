package vagoth.provisioner.template.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** A configuration annotation for tests: the given values, the annotation's defaults for the rest. */
final class Configs {
    private Configs() {
    }

    static TemplateProvisionerConfig of(Map<String, String> values) {
        return (TemplateProvisionerConfig) Proxy.newProxyInstance(Configs.class.getClassLoader(),
                new Class<?>[] {TemplateProvisionerConfig.class}, (proxy, m, args) -> {
                    if (values.containsKey(m.getName())) {
                        return values.get(m.getName());
                    }
                    if (m.getDefaultValue() != null) {
                        return m.getDefaultValue();
                    }
                    return m.getName().equals("annotationType") ? TemplateProvisionerConfig.class : null;
                });
    }
}

package vagoth.shell.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A command's usage, written once, on the command's method next to its
 * {@code @Descriptor} (the one-line summary): parsing, usage errors,
 * {@code vagoth help}, Gogo's {@code help} and completion all read it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Usage {
    /** Positional arguments: any number. */
    int ANY = Integer.MAX_VALUE;

    /** The usage line after {@code vagoth}, starting with the command's name. */
    String synopsis();

    /** Options that take a value ({@code --tag k=v}); each may repeat. */
    String[] values() default {};

    /** Options that take none ({@code --json}). */
    String[] flags() default {};

    /** Positional arguments required. */
    int min() default 0;

    /** Positional arguments allowed. */
    int max() default 0;

    /** What each positional argument names, for completion; the last one repeats. */
    Arg[] args() default {};

    /**
     * The least role that may run it over the remote API ({@code viewer},
     * {@code operator}, {@code admin}): what it does, written next to how it is
     * called. A command that does not say needs an admin.
     */
    String role() default "admin";

    /** Positional words that make the command act (operator or more) although its role reads: {@code job retry}, {@code ha VM on}. */
    String[] acts() default {};

    /** What an argument names. */
    enum Arg {
        /** A virtual machine's name. */
        VM,
        /** A hypervisor's name. */
        HV,
        /** Any node's name. */
        NODE,
        /** A command's name. */
        COMMAND,
        /** {@code on} or {@code off}. */
        ON_OFF,
        /** Something new (an id, a definition pair): nothing to offer but templates. */
        NEW
    }
}

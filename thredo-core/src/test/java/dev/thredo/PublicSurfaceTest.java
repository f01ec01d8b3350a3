package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The public surface is {@code dev.thredo} and {@code dev.thredo.io}: the built module exports
 * those two packages and nothing else, and no public or protected member of them names a type of
 * {@code dev.thredo.internal}, so a user never needs (or gets) a kernel part. The tests themselves
 * run on the class path (see the module's pom); here the compiled module is loaded as a real named
 * module, in a layer of its own.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PublicSurfaceTest {
    private static final String MODULE = "dev.thredo";
    private static final Set<String> API_PACKAGES = Set.of("dev.thredo", "dev.thredo.io");
    private static final String INTERNAL = "dev.thredo.internal";

    @Test
    void theModuleExportsTheApiPackagesOnlyAndRequiresSlf4j() {
        ModuleDescriptor d = thredoModule().descriptor();
        assertFalse(d.isOpen() || d.isAutomatic(), "an explicit, closed module");
        assertEquals(API_PACKAGES, d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(d.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified), "exports are unqualified: " + d.exports());
        assertEquals(Set.of(), d.opens());
        assertTrue(d.packages().contains(INTERNAL), "the kernel's parts are in the module: " + d.packages());
        assertEquals(Set.of("java.base", "org.slf4j"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }

    @Test
    void onTheModulePathTheApiRunsAndTheInternalsAreOutOfReach() throws Exception {
        ModuleLayer layer = layerWithThredo();
        Module thredo = layer.findModule(MODULE).orElseThrow();
        ClassLoader loader = layer.findLoader(MODULE);

        Class<?> api = loader.loadClass("dev.thredo.Thredo");
        assertNotSame(Thredo.class, api, "the layer's own copy, not the class path's");
        assertEquals(thredo, api.getModule());
        Callable<String> main = () -> "ran";
        assertEquals("ran", api.getMethod("run", Callable.class).invoke(null, main),
                "Thredo.run through the exported API (the kernel, and its SLF4J logger, load in the module)");

        assertFalse(thredo.isExported(INTERNAL));
        Method internal = loader.loadClass("dev.thredo.internal.ThreadControl").getMethod("current");
        assertThrows(IllegalAccessException.class, () -> internal.invoke(null),
                "a public method of an internal class is not accessible outside the module");
    }

    @Test
    void noPublicSignatureOfTheApiNamesAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        List<Class<?>> types = apiTypes();
        assertTrue(types.contains(ThredoThread.class) && types.contains(dev.thredo.io.SocketStream.class), "found: " + types);
        for (Class<?> type : types) {
            for (String leak : internalTypesIn(type)) {
                leaks.add(type.getName() + ": " + leak);
            }
        }
        assertEquals(List.of(), leaks);
    }

    /** The exposed types of the API packages: public, or protected in an exposed enclosing type. */
    private static List<Class<?>> apiTypes() throws IOException, ClassNotFoundException {
        List<Class<?>> types = new ArrayList<>();
        try (ModuleReader reader = thredoModule().open(); Stream<String> names = reader.list()) {
            for (String name : names.filter(n -> n.endsWith(".class") && !n.equals("module-info.class")).sorted().toList()) {
                String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                Class<?> c = Class.forName(className, false, PublicSurfaceTest.class.getClassLoader());
                if (API_PACKAGES.contains(c.getPackageName()) && isExposed(c)) {
                    types.add(c);
                }
            }
        }
        return types;
    }

    private static boolean isExposed(Class<?> c) {
        for (Class<?> t = c; t != null; t = t.getDeclaringClass()) {
            if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic() || !isExposed(t.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isExposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** Each place where {@code type}'s declaration or an exposed member of it names an internal type. */
    private static Set<String> internalTypesIn(Class<?> type) {
        Set<String> found = new TreeSet<>();
        List<Type> declaration = new ArrayList<>(List.of(type.getTypeParameters()));
        if (type.getGenericSuperclass() != null) {
            declaration.add(type.getGenericSuperclass());
        }
        declaration.addAll(List.of(type.getGenericInterfaces()));
        collect("declaration", declaration, found);
        for (Field f : type.getDeclaredFields()) {
            if (exposed(f)) {
                collect(f.getName(), List.of(f.getGenericType()), found);
            }
        }
        List<Executable> executables = new ArrayList<>(List.of(type.getDeclaredMethods()));
        executables.addAll(List.of(type.getDeclaredConstructors()));
        for (Executable e : executables) {
            if (exposed(e) && !(e instanceof Method m && m.isBridge())) {
                List<Type> mentioned = new ArrayList<>(List.of(e.getTypeParameters()));
                mentioned.addAll(List.of(e.getGenericParameterTypes()));
                mentioned.addAll(List.of(e.getGenericExceptionTypes()));
                if (e instanceof Method m) {
                    mentioned.add(m.getGenericReturnType());
                }
                collect(e instanceof Constructor<?> ? "constructor" : e.getName(), mentioned, found);
            }
        }
        return found;
    }

    private static boolean exposed(Member m) {
        return !m.isSynthetic() && isExposed(m.getModifiers());
    }

    private static void collect(String where, List<Type> types, Set<String> found) {
        Set<Type> seen = new HashSet<>(); // by equality, which ends recursive bounds (T extends Comparable<T>)
        for (Type t : types) {
            walk(t, seen, c -> found.add(where + " names " + c.getName()));
        }
    }

    /** Visits every class that {@code t} mentions (arguments, bounds, owners, array components). */
    private static void walk(Type t, Set<Type> seen, Consumer<Class<?>> internal) {
        if (t == null || !seen.add(t)) {
            return;
        }
        switch (t) {
            case Class<?> c when c.isArray() -> walk(c.getComponentType(), seen, internal);
            case Class<?> c -> {
                if (c.getPackageName().equals(INTERNAL)) {
                    internal.accept(c);
                }
            }
            case ParameterizedType p -> {
                walk(p.getRawType(), seen, internal);
                walk(p.getOwnerType(), seen, internal);
                for (Type a : p.getActualTypeArguments()) {
                    walk(a, seen, internal);
                }
            }
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) {
                    walk(b, seen, internal);
                }
                for (Type b : w.getLowerBounds()) {
                    walk(b, seen, internal);
                }
            }
            case TypeVariable<?> v -> {
                for (Type b : v.getBounds()) {
                    walk(b, seen, internal);
                }
            }
            case GenericArrayType a -> walk(a.getGenericComponentType(), seen, internal);
            default -> throw new AssertionError("unknown kind of type: " + t);
        }
    }

    /** The compiled module, found where the class path has its classes (target/classes). */
    private static ModuleReference thredoModule() {
        return ModuleFinder.of(location(Thredo.class)).find(MODULE).orElseThrow(
                () -> new AssertionError("no module " + MODULE + " at " + location(Thredo.class)));
    }

    /**
     * A layer holding the compiled module and SLF4J's API as named modules (no SLF4J provider: SLF4J
     * then says so once and logs nothing).
     */
    private static ModuleLayer layerWithThredo() {
        ModuleFinder finder = ModuleFinder.of(location(Thredo.class), location(org.slf4j.Logger.class));
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(MODULE));
        Set<String> resolved = new HashSet<>();
        cf.modules().forEach(m -> resolved.add(m.name()));
        assertTrue(resolved.containsAll(Set.of(MODULE, "org.slf4j")), "resolved: " + resolved);
        return boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}

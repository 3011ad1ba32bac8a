using System.Collections.Concurrent;
using System.Reflection;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The declared hyper-parameters of one options class (<see cref="HyperParameterAttribute"/>), read once per type,
/// and what is derived from them: range validation, the ONNX metadata, the checkpoint settings, the summary in
/// metrics.json, and copies of options objects. Adding a hyper-parameter is adding its property with the attribute.
/// </summary>
public sealed class HyperParameterSet
{
    private static readonly ConcurrentDictionary<Type, HyperParameterSet> Sets = new();
    private static readonly MethodInfo MemberwiseCloneMethod = typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

    private HyperParameterSet(Type optionsType)
    {
        OptionsType = optionsType;
        var renamed = optionsType.GetCustomAttributes<HyperParameterKeyAttribute>(inherit: true).ToDictionary(a => a.Property, a => a.Key, StringComparer.Ordinal);
        var parameters = new List<HyperParameter>();
        var groups = new List<PropertyInfo>();
        // Base-class options first, in declaration order, so that help and summaries read from general to specific.
        foreach (var property in Settable(optionsType).OrderBy(p => Depth(p.DeclaringType!)).ThenBy(p => p.MetadataToken))
        {
            if (property.GetCustomAttribute<HyperParameterGroupAttribute>() is not null) { groups.Add(property); continue; }
            if (property.GetCustomAttribute<HyperParameterAttribute>() is not { } declaration) continue;
            var recorded = declaration.RecordedAs is { } name
                ? optionsType.GetProperty(name) ?? throw new InvalidOperationException($"{optionsType.Name}.{property.Name}: RecordedAs names no property '{name}'.")
                : property;
            parameters.Add(new HyperParameter(property, recorded, declaration, renamed.GetValueOrDefault(property.Name, declaration.Key)));
        }
        Parameters = parameters;
        Groups = groups;
    }

    /// <summary>The declared hyper-parameters of <typeparamref name="TOptions"/>.</summary>
    public static HyperParameterSet For<TOptions>() => For(typeof(TOptions));

    /// <summary>The declared hyper-parameters of <paramref name="optionsType"/>.</summary>
    public static HyperParameterSet For(Type optionsType) => Sets.GetOrAdd(optionsType, t => new HyperParameterSet(t));

    /// <summary>The options class.</summary>
    public Type OptionsType { get; }

    /// <summary>Its declared hyper-parameters (not those of its groups).</summary>
    public IReadOnlyList<HyperParameter> Parameters { get; }

    /// <summary>Its options that hold an optional object with hyper-parameters of its own (<see cref="HyperParameterGroupAttribute"/>).</summary>
    public IReadOnlyList<PropertyInfo> Groups { get; }

    /// <summary>The declared hyper-parameter <paramref name="name"/> (the property name).</summary>
    public HyperParameter this[string name] => Parameters.SingleOrDefault(p => p.Name == name)
        ?? throw new KeyNotFoundException($"{OptionsType.Name} declares no hyper-parameter {name}.");

    /// <summary>The public options a caller can set: the properties with a public getter and setter.</summary>
    public static IEnumerable<PropertyInfo> Settable(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetMethod?.IsPublic == true && p.SetMethod?.IsPublic == true);

    /// <summary>The default of <paramref name="parameter"/> in this class: its value on a new options object.</summary>
    public object? DefaultOf(HyperParameter parameter) => parameter.GetValue(Activator.CreateInstance(OptionsType)!);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first declared option of <paramref name="options"/> outside its range.</summary>
    public void Validate(object options)
    {
        foreach (var p in Parameters)
            if (!p.IsValid(p.GetValue(options)))
                throw new ArgumentOutOfRangeException(p.Name, $"Option {p.Name} {p.Requirement ?? "must be set"}.");
    }

    /// <summary>The metadata recorded in the exported ONNX files: key → value, with the hyper-parameters of the set groups.</summary>
    public SortedDictionary<string, string> Metadata(object options)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(options, "", (p, o, _) => result[p.Key] = HyperParameter.Format(p.RecordedValue(o)));
        return result;
    }

    /// <summary>
    /// The settings a checkpoint records and a resume must match: every option that shapes the training trajectory
    /// (property name → value; a group's prefixed with its name, e.g. <c>Privacy.PrivacyWeight</c>), the seed actually
    /// used and any <paramref name="extra"/> entries with a value (e.g. a fingerprint of the item text).
    /// </summary>
    public SortedDictionary<string, string> CheckpointSettings(object options, int seed, params (string Key, string? Value)[] extra)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(options, "", (p, o, prefix) => { if (p.ShapesTraining) result[prefix + p.Name] = HyperParameter.Format(p.RecordedValue(o)); });
        result["Seed"] = HyperParameter.Format(seed);
        foreach (var (key, value) in extra)
            if (value is not null) result[key] = value;
        return result;
    }

    /// <summary>
    /// Sets the declared options of <paramref name="options"/> that shape training from checkpoint
    /// <paramref name="settings"/> (what <see cref="CheckpointSettings"/> wrote; a recorded value such as the effective
    /// L2 is set on its option, which then means the same). Keys this class does not declare (the seed, data
    /// fingerprints) are left alone; a group's keys are returned, not applied (the caller decides whether it can rebuild the group).
    /// </summary>
    /// <exception cref="InvalidDataException">A value is not of its option's type.</exception>
    public IReadOnlyList<string> ApplyCheckpointSettings(object options, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var p in Parameters)
            if (p.ShapesTraining && settings.TryGetValue(p.Name, out var text)) p.SetValue(options, p.Parse(text));
        return settings.Keys.Where(k => Groups.Any(g => k.StartsWith(g.Name + ".", StringComparison.Ordinal))).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The options as a summary for reports: property name → recorded value, and a nested summary per set group.</summary>
    public IReadOnlyDictionary<string, object?> Summary(object options)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in Parameters) result[p.Name] = p.RecordedValue(options);
        foreach (var g in Groups)
            if (g.GetValue(options) is { } value) result[g.Name] = For(value.GetType()).Summary(value);
        return result;
    }

    /// <summary>A copy of <paramref name="options"/> that shares no group object with it (callbacks and data are shared, not copied).</summary>
    public static T Clone<T>(T options) where T : class
    {
        var copy = (T)MemberwiseCloneMethod.Invoke(options, null)!;
        foreach (var g in For(options.GetType()).Groups)
            if (g.GetValue(copy) is { } value) g.SetValue(copy, Clone(value));
        return copy;
    }

    /// <summary>
    /// Copies every public option that <paramref name="target"/>'s class shares with <paramref name="source"/>'s (the
    /// properties of their common base classes), declared or not; groups are cloned. Used to derive one trainer's
    /// options from another's (IRGAN's BPR pre-training).
    /// </summary>
    public static void CopyShared(object source, object target)
    {
        var targetType = target.GetType();
        foreach (var property in Settable(source.GetType()).Where(p => p.DeclaringType!.IsAssignableFrom(targetType)))
        {
            var value = property.GetValue(source);
            if (value is not null && property.GetCustomAttribute<HyperParameterGroupAttribute>() is not null) value = Clone(value);
            property.SetValue(target, value);
        }
    }

    private void Walk(object options, string prefix, Action<HyperParameter, object, string> visit)
    {
        foreach (var p in Parameters) visit(p, options, prefix);
        foreach (var g in Groups)
            if (g.GetValue(options) is { } value) For(value.GetType()).Walk(value, prefix + g.Name + ".", visit);
    }

    private static int Depth(Type type)
    {
        int depth = 0;
        for (var t = type.BaseType; t is not null; t = t.BaseType) depth++;
        return depth;
    }
}

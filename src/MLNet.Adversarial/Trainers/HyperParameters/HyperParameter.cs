using System.Globalization;
using System.Reflection;

namespace MLNet.Adversarial.Trainers;

/// <summary>One declared hyper-parameter of an options class (see <see cref="HyperParameterAttribute"/>), read by <see cref="HyperParameterSet"/>.</summary>
public sealed class HyperParameter
{
    private readonly PropertyInfo _property;
    private readonly PropertyInfo _recorded;
    private readonly HyperParameterAttribute _declaration;

    internal HyperParameter(PropertyInfo property, PropertyInfo recorded, HyperParameterAttribute declaration, string key)
    {
        _property = property;
        _recorded = recorded;
        _declaration = declaration;
        Key = key;
        ValueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        IsNullable = !property.PropertyType.IsValueType || ValueType != property.PropertyType;
        if (declaration.Switch && !(ValueType.IsEnum && Enum.GetValues(ValueType).Length == 2))
            throw new InvalidOperationException($"{Name}: Switch needs a two-valued enum.");
        if (declaration.FlagValues is { } words && words.Length != Values().Count)
            throw new InvalidOperationException($"{Name}: FlagValues needs one word per value ({Values().Count}).");
        Requirement = DescribeRange();
        Search = SearchSpace();
    }

    /// <summary>The option's property name (the checkpoint settings key and, camel-cased, the metrics.json key).</summary>
    public string Name => _property.Name;

    /// <summary>The snake_case metadata key (<c>hparam.&lt;key&gt;</c> in the ONNX files).</summary>
    public string Key { get; }

    /// <summary>The CLI flag of <c>mlnet-adv train</c>.</summary>
    public string Flag => _declaration.Flag;

    /// <summary>The flag's help text.</summary>
    public string Help => _declaration.Help;

    /// <summary>The placeholder of the flag's value in the help, or null.</summary>
    public string? ValueName => _declaration.ValueName;

    /// <summary>The option's type without <see cref="Nullable{T}"/>.</summary>
    public Type ValueType { get; }

    /// <summary>Whether null is a valid value (a documented fallback, such as "half of the epochs").</summary>
    public bool IsNullable { get; }

    /// <summary>Whether the flag is a switch selecting an enum's second value.</summary>
    public bool IsSwitch => _declaration.Switch;

    /// <summary>Whether the value shapes the training trajectory (recorded in checkpoints).</summary>
    public bool ShapesTraining => _declaration.ShapesTraining;

    /// <summary>The class that declares the option (options classes inherit declarations).</summary>
    public Type DeclaringType => _property.DeclaringType!;

    /// <summary>What a valid value is, as the end of "Option X ...", e.g. "must be positive"; null when any value is valid.</summary>
    public string? Requirement { get; }

    /// <summary>Where a tuner searches; null when the option is not tuned.</summary>
    public HyperParameterSearchSpace? Search { get; }

    /// <summary>The valid range of a numeric option: (min, max, min exclusive, max exclusive).</summary>
    public (double Min, double Max, bool MinExclusive, bool MaxExclusive) Range => (_declaration.Min, _declaration.Max, _declaration.MinExclusive, _declaration.MaxExclusive);

    /// <summary>Whether the option takes whole numbers.</summary>
    public bool IsInteger => ValueType == typeof(int) || ValueType == typeof(long);

    /// <summary>The option's value on <paramref name="options"/>.</summary>
    public object? GetValue(object options) => _property.GetValue(options);

    /// <summary>Sets the option on <paramref name="options"/>.</summary>
    public void SetValue(object options, object? value) => _property.SetValue(options, value);

    /// <summary>The value recorded in metadata, checkpoints and summaries (the <see cref="HyperParameterAttribute.RecordedAs"/> property's, if any).</summary>
    public object? RecordedValue(object options) => _recorded.GetValue(options);

    /// <summary>Whether <paramref name="value"/> is valid for this option.</summary>
    public bool IsValid(object? value)
    {
        if (value is null) return IsNullable;
        if (ValueType.IsEnum) return Enum.IsDefined(ValueType, value);
        if (ValueType == typeof(bool)) return true;
        double v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        var (min, max, minExclusive, maxExclusive) = Range;
        return double.IsFinite(v) && (minExclusive ? v > min : v >= min) && (maxExclusive ? v < max : v <= max);
    }

    /// <summary>The value as text, culture-invariantly: round-trip numbers, <c>true</c>/<c>false</c>, enum names, "" for null.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The value <see cref="Format"/> wrote as <paramref name="text"/> ("" is null for a nullable option).</summary>
    /// <exception cref="InvalidDataException">The text is not a value of this option's type.</exception>
    public object? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 && IsNullable) return null;
        try
        {
            if (ValueType.IsEnum) return Enum.Parse(ValueType, text, ignoreCase: false);
            if (ValueType == typeof(bool)) return text == "true" ? true : text == "false" ? false : throw new FormatException();
            if (ValueType == typeof(string)) return text;
            return Convert.ChangeType(text, ValueType, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidCastException)
        {
            throw new InvalidDataException($"Setting {Name} '{text}' is not a valid {ValueType.Name}.", e);
        }
    }

    /// <summary>The CLI words of an enum's or a worded bool's values, in order; null for numbers, plain bools and switches.</summary>
    public IReadOnlyList<string>? FlagWords =>
        IsSwitch ? null
        : _declaration.FlagValues is { } words ? words
        : ValueType.IsEnum ? Enum.GetNames(ValueType).Select(n => n.ToLowerInvariant()).ToArray()
        : null;

    /// <summary>The CLI word of <paramref name="value"/> (see <see cref="FlagWords"/>).</summary>
    public string FlagWord(object value) => FlagWords![Values().IndexOf(value)];

    /// <summary>The value a CLI word stands for (see <see cref="FlagWords"/>).</summary>
    public object FromFlagWord(string word) => Values()[FlagWords!.ToList().IndexOf(word)];

    /// <summary>The value a switch selects when given: the enum's second value.</summary>
    public object SwitchValue => Values()[1];

    /// <summary>Every value of an enum or bool option, in order (false before true).</summary>
    public IReadOnlyList<object> Choices => Values();

    private List<object> Values() =>
        ValueType.IsEnum ? Enum.GetValues(ValueType).Cast<object>().ToList()
        : ValueType == typeof(bool) ? [false, true]
        : [];

    private string? DescribeRange()
    {
        if (ValueType.IsEnum) return $"must be one of {string.Join(", ", Enum.GetNames(ValueType))}";
        if (ValueType == typeof(bool)) return null;
        var (min, max, minExclusive, maxExclusive) = Range;
        string F(double v) => v.ToString(CultureInfo.InvariantCulture);
        bool noMax = double.IsPositiveInfinity(max), noMin = double.IsNegativeInfinity(min);
        if (noMax && ((min == 0 && minExclusive) || (IsInteger && min == 1 && !minExclusive))) return "must be positive";
        if (noMax && min == 0 && !minExclusive) return "must not be negative";
        if (noMax && noMin) return "must be a finite number";
        if (noMax) return $"must be {(minExclusive ? "greater than" : "at least")} {F(min)}";
        if (noMin) return $"must be {(maxExclusive ? "less than" : "at most")} {F(max)}";
        if (IsInteger && !minExclusive && !maxExclusive) return $"must be in {F(min)}..{F(max)}";
        return $"must be in {(minExclusive ? "(" : "[")}{F(min)}, {F(max)}{(maxExclusive ? ")" : "]")}";
    }

    private HyperParameterSearchSpace? SearchSpace()
    {
        if (_declaration.SearchChoices) return new(double.NaN, double.NaN, false, false, Values());
        if (double.IsNaN(_declaration.SearchMin) && double.IsNaN(_declaration.SearchMax)) return null;
        return new(_declaration.SearchMin, _declaration.SearchMax, _declaration.SearchLogScale, IsInteger, null);
    }
}

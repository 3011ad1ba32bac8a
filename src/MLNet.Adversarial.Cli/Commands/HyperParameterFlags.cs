using System.CommandLine;
using System.Globalization;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli.Commands;

/// <summary>
/// The CLI flags of the declared hyper-parameters (<see cref="HyperParameterAttribute"/>) of one or more trainers'
/// options classes, generated with their help and defaults, and applied back onto an options object. Trainers may
/// share a flag (<c>--epochs</c>, <c>--g-lr</c>): each trainer's option takes it, and when their defaults differ the
/// help lists each one. A flag that is not given leaves the option at its own default.
/// </summary>
internal sealed class HyperParameterFlags
{
    private readonly Dictionary<string, Option> _options = new(StringComparer.Ordinal);

    /// <param name="trainers">The options classes, each with the trainer names the help uses for it (e.g. "bpr, apr").</param>
    public HyperParameterFlags(params (string Trainers, Type Options)[] trainers)
    {
        var byFlag = trainers
            .SelectMany(t => { var set = HyperParameterSet.For(t.Options); return set.Parameters.Select(p => (t.Trainers, Set: set, Parameter: p)); })
            .GroupBy(e => e.Parameter.Flag, StringComparer.Ordinal);
        foreach (var flag in byFlag)
            _options[flag.Key] = Create(flag.Key, flag.ToList());
    }

    /// <summary>The flags, in declaration order.</summary>
    public IEnumerable<Option> All => _options.Values;

    /// <summary>The flag named <paramref name="name"/>.</summary>
    public Option<T> Get<T>(string name) => (Option<T>)_options[name];

    /// <summary>
    /// Sets every declared option of <paramref name="options"/> (and of its set groups, e.g. Privacy) whose flag was
    /// given. The values are read by flag name, so a command may define a flag itself (e.g. its own --min-rating).
    /// </summary>
    public void Apply(CommandContext c, object options)
    {
        var set = HyperParameterSet.For(options.GetType());
        foreach (var p in set.Parameters)
            if (_options.ContainsKey(p.Flag) && c.Parse.GetResult(p.Flag) is System.CommandLine.Parsing.OptionResult { Implicit: false })
                p.SetValue(options, ValueOf(c.Parse, p));
        foreach (var g in set.Groups)
            if (g.GetValue(options) is { } group) Apply(c, group);
    }

    private static object? ValueOf(ParseResult parse, HyperParameter p)
    {
        if (p.IsSwitch) return parse.GetValue<bool>(p.Flag) ? p.SwitchValue : p.Choices[0];
        if (p.FlagWords is not null) return p.FromFlagWord(parse.GetValue<string>(p.Flag)!);
        var value = typeof(ParseResult).GetMethod(nameof(ParseResult.GetValue), [typeof(string)])!
            .MakeGenericMethod(OptionType(p)).Invoke(parse, [p.Flag]);
        return value;
    }

    private static Type OptionType(HyperParameter p) =>
        p.IsSwitch ? typeof(bool)
        : p.FlagWords is not null ? typeof(string)
        : p.IsNullable && p.ValueType.IsValueType ? typeof(Nullable<>).MakeGenericType(p.ValueType)
        : p.ValueType;

    private static Option Create(string flag, List<(string Trainers, HyperParameterSet Set, HyperParameter Parameter)> users)
    {
        var first = users[0].Parameter;
        foreach (var (_, set, p) in users)
            if (OptionType(p) != OptionType(first) || !(p.FlagWords ?? []).SequenceEqual(first.FlagWords ?? []))
                throw new InvalidOperationException($"{flag}: {set.OptionsType.Name}.{p.Name} and {first.DeclaringType.Name}.{first.Name} share the flag but not its type.");

        // One help text per declaration (several when trainers share the flag), then the defaults.
        var declarations = users.GroupBy(u => (u.Parameter.DeclaringType, u.Parameter.Name)).ToList();
        string help = declarations.Count == 1 ? first.Help : string.Join(" ", declarations.Select(d => d.First().Parameter.Help));
        var defaults = users.Select(u => (u.Trainers, Value: u.Set.DefaultOf(u.Parameter))).ToList();
        bool oneDefault = defaults.Select(d => d.Value).Distinct().Count() == 1;
        if (!oneDefault)
            help += " Default: " + string.Join("; ", defaults.GroupBy(d => d.Value).Select(g => $"{Display(first, g.Key)} ({string.Join(", ", g.Select(d => d.Trainers))})")) + ".";
        // The help shows no default for a bool; say it when the flag turns something off.
        if (oneDefault && first.ValueType == typeof(bool) && defaults[0].Value is true) help += " Default: true.";

        var option = (Option)Activator.CreateInstance(typeof(Option<>).MakeGenericType(OptionType(first)), flag, Array.Empty<string>())!;
        option.Description = help;
        if (first.ValueName is { } valueName) option.HelpName = valueName;
        if (first.FlagWords is { } choices) ((Option<string>)option).AcceptOnlyFromAmong([.. choices]);
        object? shown = defaults[0].Value;
        if (oneDefault && shown is not null && !first.IsSwitch)
            SetDefault(option, first.FlagWords is not null ? first.FlagWord(shown) : shown);
        return option;
    }

    private static string Display(HyperParameter p, object? value) =>
        value is null ? "unset" : p.FlagWords is not null ? p.FlagWord(value) : Convert.ToString(value, CultureInfo.InvariantCulture)!;

    private static void SetDefault(Option option, object value)
    {
        // Option<T>.DefaultValueFactory is a Func<ArgumentResult, T>: build it for the option's T.
        var method = typeof(HyperParameterFlags).GetMethod(nameof(Default), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(option.ValueType);
        method.Invoke(null, [option, value]);
    }

    private static void Default<T>(Option<T> option, object value) => option.DefaultValueFactory = _ => (T)value;
}

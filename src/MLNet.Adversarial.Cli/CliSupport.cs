using System.CommandLine;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using MLNet.Adversarial.Trainers;

namespace MLNet.Adversarial.Cli;

/// <summary>A user error: printed as one line on stderr, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>What a command handler gets: the parse result and the two writers.</summary>
internal sealed record CommandContext(ParseResult Parse, TextWriter Out, TextWriter Error)
{
    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;
}

/// <summary>Option factories and value parsers shared by the commands, and the error guard.</summary>
internal static class CliSupport
{
    /// <summary>
    /// Library option names (as in <c>ArgumentOutOfRangeException.ParamName</c>) mapped to the flags that set them: the
    /// declared hyper-parameters' flags, and those of the other options and arguments the commands set.
    /// </summary>
    private static readonly Dictionary<string, string> FlagOfOption = DeclaredFlags(new(StringComparer.Ordinal)
    {
        ["TopK"] = "--topk", ["fraction"] = "--validation-fraction", ["K"] = "--topk", ["UserText"] = "--user-text",
    });

    private static Dictionary<string, string> DeclaredFlags(Dictionary<string, string> others)
    {
        // An option name shared by several trainers (GeneratorLearningRate) has the same flag in each.
        foreach (var type in new[] { typeof(AprTrainer.Options), typeof(IrganTrainer.Options), typeof(CfganTrainer.Options), typeof(PrivacyOptions) })
            foreach (var p in HyperParameterSet.For(type).Parameters)
                others.TryAdd(p.Name, p.Flag);
        return others;
    }

    /// <summary>Adds <paramref name="options"/> to <paramref name="command"/>, except those it already has by name (e.g. its own --min-rating, which then sets the option too).</summary>
    public static void AddOptions(this Command command, IEnumerable<Option> options)
    {
        foreach (var option in options)
        {
            var existing = command.Options.FirstOrDefault(o => o.Name == option.Name);
            if (existing is null) command.Options.Add(option);
            else if (existing.ValueType != option.ValueType)
                throw new InvalidOperationException($"{command.Name}: two {option.Name} flags of different types.");
        }
    }

    public static Option<string?> File(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required, HelpName = "FILE" };

    public static Option<string> ModelDirectory() =>
        new("--model") { Description = "Folder written by 'train'.", Required = true, HelpName = "DIR" };

    public static Option<float?> MinRating() =>
        new("--min-rating") { Description = "Rows rated at or above R are positives (default: every row).", HelpName = "R" };

    public static Option<int[]> Ks(string defaultValue = "3,5,10,20") => new("-k", "--ks")
    {
        Description = $"Cut-offs K, comma-separated (default {defaultValue}).", HelpName = "K,K,...",
        CustomParser = r => ParseList(r.Tokens.Count == 0 ? defaultValue : r.Tokens[0].Value, "-k", s => int.Parse(s, CultureInfo.InvariantCulture), k => k > 0),
        DefaultValueFactory = _ => ParseList(defaultValue, "-k", s => int.Parse(s, CultureInfo.InvariantCulture), k => k > 0),
    };

    public static T[] ParseList<T>(string text, string flag, Func<string, T> parse, Func<T, bool> valid)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new CliException($"{flag} needs at least one value.");
        return parts.Select(p =>
        {
            T value;
            try { value = parse(p); }
            catch (FormatException) { throw new CliException($"{flag}: '{p}' is not a valid number."); }
            catch (OverflowException) { throw new CliException($"{flag}: '{p}' is out of range."); }
            return valid(value) ? value : throw new CliException($"{flag}: '{p}' is out of range.");
        }).ToArray();
    }

    /// <summary>Sets <paramref name="handler"/> as the action of <paramref name="command"/>, turning expected failures into one-line errors.</summary>
    public static void SetHandler(this Command command, Func<CommandContext, int> handler) =>
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            var context = new CommandContext(parse, config.Output, config.Error);
            try
            {
                return handler(context);
            }
            catch (Exception e) when (Describe(e) is { } message)
            {
                context.Error.WriteLine($"error: {message}");
                return 1;
            }
        });

    private static string? Describe(Exception e) => e switch
    {
        CliException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
            or OnnxRuntimeException => e.Message,
        ArgumentOutOfRangeException { ParamName: { } name } when FlagOfOption.TryGetValue(name, out var flag) =>
            FirstLine(e.Message).StartsWith($"Option {name} ", StringComparison.Ordinal)
                ? flag + FirstLine(e.Message)[$"Option {name}".Length..]
                : $"{flag}: {FirstLine(e.Message)}",
        ArgumentException or InvalidOperationException or IOException => FirstLine(e.Message),
        _ => null,
    };

    // ArgumentException appends " (Parameter 'x')"; the flag already names it.
    private static string FirstLine(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message.Split('\n')[0], @" \(Parameter '[^']*'\)$", "").TrimEnd();

    public static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}

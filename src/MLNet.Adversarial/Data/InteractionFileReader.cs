using System.Globalization;

namespace MLNet.Adversarial.Data;

/// <summary>
/// Reads interaction files: one <c>user item [rating [timestamp]]</c> row per line, separated by tabs, commas
/// or spaces, with an optional header line. Every problem is reported with the file name and line number.
/// </summary>
public static class InteractionFileReader
{
    /// <summary>Options for <see cref="Read(string, Options?)"/>.</summary>
    public sealed class Options
    {
        /// <summary>Whether the first line is a header: true, false, or null to detect it (a non-numeric rating field or a field named like "user").</summary>
        public bool? HasHeader { get; set; }
    }

    private static readonly char[] Separators = ['\t', ',', ' ', ';', '|'];
    private static readonly string[] HeaderWords = ["user", "item", "movie", "rating", "timestamp", "uid", "iid"];

    /// <summary>Reads <paramref name="path"/> into an <see cref="InteractionTable"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file and line.</exception>
    public static InteractionTable Read(string path, Options? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Interaction file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        return Read(reader, Path.GetFileName(path), options);
    }

    /// <summary>Reads interaction rows from <paramref name="reader"/>; <paramref name="name"/> is used in error messages.</summary>
    public static InteractionTable Read(TextReader reader, string name, Options? options = null)
    {
        var users = new List<string>();
        var items = new List<string>();
        var ratings = new List<float>();
        int? fieldsWithRating = null;
        int lineNumber = 0;
        bool first = true;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#') continue;
            var fields = trimmed.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (first)
            {
                first = false;
                if (options?.HasHeader ?? LooksLikeHeader(fields)) continue;
            }
            if (fields.Length < 2)
                throw new InvalidDataException($"{name}, line {lineNumber}: expected 'user item [rating [timestamp]]' but found {fields.Length} field(s): '{Shorten(line)}'.");
            if (fields.Length > 4)
                throw new InvalidDataException($"{name}, line {lineNumber}: expected at most 4 fields (user item rating timestamp) but found {fields.Length}: '{Shorten(line)}'.");
            bool hasRating = fields.Length >= 3;
            fieldsWithRating ??= hasRating ? 1 : 0;
            if ((fieldsWithRating == 1) != hasRating)
                throw new InvalidDataException($"{name}, line {lineNumber}: {(hasRating ? "has a rating but earlier lines do not" : "has no rating but earlier lines do")}.");
            users.Add(fields[0]);
            items.Add(fields[1]);
            if (hasRating)
            {
                if (!float.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var rating))
                    throw new InvalidDataException($"{name}, line {lineNumber}: rating '{fields[2]}' is not a number.");
                if (!float.IsFinite(rating))
                    throw new InvalidDataException($"{name}, line {lineNumber}: rating '{fields[2]}' is not a finite number.");
                ratings.Add(rating);
            }
        }
        if (users.Count == 0) throw new InvalidDataException($"{name} has no interaction rows.");
        return new InteractionTable(IdColumn.Parse(users), IdColumn.Parse(items), fieldsWithRating == 1 ? ratings.ToArray() : null, name);
    }

    private static bool LooksLikeHeader(string[] fields)
    {
        if (fields.Length >= 3 && !float.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return true;
        return fields.Take(2).Any(f => HeaderWords.Any(w => f.StartsWith(w, StringComparison.OrdinalIgnoreCase)));
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}

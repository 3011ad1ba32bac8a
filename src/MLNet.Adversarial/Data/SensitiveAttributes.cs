using System.Globalization;

namespace MLNet.Adversarial.Data;

/// <summary>
/// A categorical attribute of users (gender, an age band, occupation, ...): raw user id → class index
/// 0..<see cref="ClassCount"/>-1. Class names are sorted ordinally, so the class indices do not depend on the file's
/// row order (gender in MovieLens: <c>F</c> = 0, <c>M</c> = 1). Used by the privacy-adversarial trainer and the
/// privacy evaluator; users the table lacks are simply not used by either.
/// </summary>
public sealed class SensitiveAttributes
{
    private readonly Dictionary<string, int> _classOf;

    /// <summary>Creates the attribute from (raw user id, class name) pairs; a user listed twice must have one class.</summary>
    public SensitiveAttributes(IEnumerable<KeyValuePair<string, string>> userClasses, string name = "attribute")
    {
        ArgumentNullException.ThrowIfNull(userClasses);
        var pairs = userClasses.ToList();
        ClassNames = pairs.Select(p => p.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < ClassNames.Count; c++) index[ClassNames[c]] = c;
        _classOf = new Dictionary<string, int>(pairs.Count, StringComparer.Ordinal);
        foreach (var (user, cls) in pairs)
        {
            if (_classOf.TryGetValue(user, out var existing) && existing != index[cls])
                throw new InvalidDataException($"{name}: user '{user}' is listed with two classes, '{ClassNames[existing]}' and '{cls}'.");
            _classOf[user] = index[cls];
        }
        if (ClassNames.Count < 2) throw new InvalidDataException($"{name}: the attribute needs at least two classes, found {ClassNames.Count}.");
        Name = name;
    }

    /// <summary>A description of the attribute (file and column).</summary>
    public string Name { get; }

    /// <summary>The class names, sorted ordinally; class c is <c>ClassNames[c]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of classes (at least 2).</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>Number of users with a class.</summary>
    public int UserCount => _classOf.Count;

    /// <summary>The class of raw user id <paramref name="userId"/>, or -1 when it is not listed.</summary>
    public int ClassOf(string userId) => _classOf.TryGetValue(userId, out var c) ? c : -1;

    /// <summary>The class of every user of <paramref name="users"/> (by index), -1 for users not listed.</summary>
    public int[] LabelsFor(IdVocabulary users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var labels = new int[users.Count];
        for (int u = 0; u < labels.Length; u++) labels[u] = ClassOf(users.GetIdText(u));
        return labels;
    }

    private static readonly char[] Separators = ['|', '\t', ','];

    /// <summary>
    /// Reads <c>FILE:COLUMN</c> (as the command line gives it): see <see cref="FromFile"/>. The last colon splits the
    /// spec, so Windows paths with a drive letter work.
    /// </summary>
    public static SensitiveAttributes FromSpec(string spec, IReadOnlyList<double>? bands = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.LastIndexOf(':');
        if (colon <= 0 || colon == spec.Length - 1)
            throw new ArgumentException($"'{spec}' is not FILE:COLUMN (e.g. u.user:3 or users.csv:gender).", nameof(spec));
        return FromFile(spec[..colon], spec[(colon + 1)..], bands);
    }

    /// <summary>
    /// Reads a user table such as MovieLens' <c>u.user</c>: one user per line, the first field the user id, fields
    /// separated by <c>|</c>, tabs or commas (the first of these found on the first line), an optional header line.
    /// <paramref name="column"/> is a header name (case-insensitive; the file must then have a header) or a 1-based
    /// field index (<c>u.user</c> column 3 is gender). With a 1-based index the first line is taken as a header when
    /// its id field is not an integer while the next line's is. <paramref name="bands"/> turns a numeric column into
    /// bands: with edges e1 &lt; e2 &lt; ..., the classes are <c>&lt;e1</c>, <c>e1-e2</c>, ..., <c>&gt;=en</c>
    /// (e.g. age with edges 25, 35, 45).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The column is missing, a line is too short or a banded value is not a number; the message names the file and line.</exception>
    public static SensitiveAttributes FromFile(string path, string column, IReadOnlyList<double>? bands = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"User table '{path}' does not exist.", path);
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        if (bands is not null)
            for (int b = 0; b < bands.Count; b++)
                if (!double.IsFinite(bands[b]) || (b > 0 && bands[b] <= bands[b - 1]))
                    throw new ArgumentException("Band edges must be finite and strictly increasing.", nameof(bands));
        string fileName = Path.GetFileName(path);
        var lines = File.ReadAllLines(path)
            .Select((text, i) => (Text: text.Trim(), Number: i + 1))
            .Where(l => l.Text.Length > 0 && l.Text[0] != '#')
            .ToList();
        if (lines.Count == 0) throw new InvalidDataException($"{fileName} has no rows.");
        char separator = Separators.FirstOrDefault(s => lines[0].Text.Contains(s), '\t');
        string[] Split(string text) => text.Split(separator).Select(f => f.Trim()).ToArray();

        int columnIndex;
        bool hasHeader;
        var first = Split(lines[0].Text);
        if (int.TryParse(column, NumberStyles.None, CultureInfo.InvariantCulture, out var oneBased))
        {
            if (oneBased < 2) throw new ArgumentException($"Column {column}: the first column is the user id; name a column from 2 on.", nameof(column));
            columnIndex = oneBased - 1;
            hasHeader = lines.Count > 1 && !IsInteger(first[0]) && IsInteger(Split(lines[1].Text)[0]);
        }
        else
        {
            columnIndex = Array.FindIndex(first, f => string.Equals(f, column, StringComparison.OrdinalIgnoreCase));
            if (columnIndex < 0) throw new InvalidDataException($"{fileName}: no header column named '{column}' (header: {string.Join(", ", first)}).");
            if (columnIndex == 0) throw new ArgumentException($"Column '{column}' is the user id column.", nameof(column));
            hasHeader = true;
        }

        var pairs = new List<KeyValuePair<string, string>>(lines.Count);
        foreach (var (text, number) in lines.Skip(hasHeader ? 1 : 0))
        {
            var fields = Split(text);
            if (fields.Length <= columnIndex)
                throw new InvalidDataException($"{fileName}, line {number}: has {fields.Length} field(s); column {columnIndex + 1} is missing.");
            var value = fields[columnIndex];
            if (bands is { Count: > 0 })
            {
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                    throw new InvalidDataException($"{fileName}, line {number}: '{value}' is not a number, so it cannot be put in a band.");
                value = Band(x, bands);
            }
            pairs.Add(new(fields[0], value));
        }
        string label = hasHeader && columnIndex < first.Length ? first[columnIndex] : $"column {columnIndex + 1}";
        return new SensitiveAttributes(pairs, $"{fileName}:{label}");
    }

    private static bool IsInteger(string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    /// <summary>The band name of <paramref name="x"/>: <c>&lt;e1</c>, <c>e1-e2</c>, ..., <c>&gt;=en</c>.</summary>
    private static string Band(double x, IReadOnlyList<double> edges)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (x < edges[0]) return $"<{F(edges[0])}";
        for (int b = 1; b < edges.Count; b++)
            if (x < edges[b]) return $"{F(edges[b - 1])}-{F(edges[b])}";
        return $">={F(edges[^1])}";
    }
}

using System.Globalization;
using System.Text;

namespace MLNet.Adversarial.Data;

/// <summary>
/// Reads one text per id from a file named on the command line as <c>FILE</c> or <c>FILE:COLUMNS</c>: a MovieLens
/// <c>u.item</c> file by itself gives each item's title and genre names (<see cref="MovieLensTitles.ReadTitlesWithGenres"/>);
/// any other table needs <c>COLUMNS</c>, the 1-based text columns (<c>items.tsv:2</c>, <c>items.csv:2,4</c>), whose
/// fields are joined with ". ". The first field of every line is the id.
/// </summary>
public static class TextTableFile
{
    private static readonly char[] Separators = ['|', '\t', ','];

    /// <summary>A parsed <c>FILE[:COLUMNS]</c>: the path, and the 1-based text columns (null: the <c>u.item</c> layout).</summary>
    public sealed record Spec(string Path, IReadOnlyList<int>? Columns)
    {
        /// <inheritdoc />
        public override string ToString() => Columns is null ? Path : $"{Path}:{string.Join(",", Columns)}";
    }

    /// <summary>
    /// Splits <paramref name="spec"/> at its last colon when the part before it is an existing file (so Windows drive
    /// letters work), and checks the column list.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither FILE nor the file part of FILE:COLUMNS exists.</exception>
    /// <exception cref="ArgumentException">COLUMNS is not a comma-separated list of distinct column numbers from 2 on.</exception>
    public static Spec Parse(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        int colon = spec.LastIndexOf(':');
        if (colon > 0 && File.Exists(spec[..colon])) return new Spec(spec[..colon], ParseColumns(spec, spec[(colon + 1)..]));
        if (File.Exists(spec)) return new Spec(spec, null);
        throw new FileNotFoundException(colon > 0
            ? $"Text file '{spec[..colon]}' (from '{spec}', FILE:COLUMNS) does not exist."
            : $"Text file '{spec}' does not exist.", colon > 0 ? spec[..colon] : spec);
    }

    private static int[] ParseColumns(string spec, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var columns = new int[parts.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            if (!int.TryParse(parts[k], NumberStyles.None, CultureInfo.InvariantCulture, out columns[k]))
                throw new ArgumentException($"'{spec}' is not FILE:COLUMNS: '{parts[k]}' is not a column number (COLUMNS are 1-based, comma-separated, e.g. items.csv:2,3).", nameof(spec));
            if (columns[k] < 2)
                throw new ArgumentException($"'{spec}': column {columns[k]} cannot hold text; column 1 is the id, text columns start at 2.", nameof(spec));
        }
        if (columns.Distinct().Count() != columns.Length)
            throw new ArgumentException($"'{spec}': a column is listed twice.", nameof(spec));
        return columns;
    }

    /// <summary>Reads the (id, text) rows of <paramref name="spec"/> (see the class); ids must be unique.</summary>
    /// <exception cref="InvalidDataException">The file has no rows, repeats an id, a line lacks a column, or a plain FILE is not in the <c>u.item</c> layout.</exception>
    public static IReadOnlyList<(string Id, string Text)> Read(Spec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string name = System.IO.Path.GetFileName(spec.Path);
        IReadOnlyList<(string Id, string Text)> rows;
        if (spec.Columns is null)
        {
            var first = File.ReadLines(spec.Path, Encoding.Latin1).FirstOrDefault(l => l.Length > 0);
            if (first is null || !MovieLensTitles.IsItemLine(first))
                throw new InvalidDataException($"{name} is not in the MovieLens u.item layout; name its text columns as FILE:COLUMNS (1-based, e.g. {name}:2).");
            rows = MovieLensTitles.ReadTitlesWithGenres(spec.Path);
        }
        else rows = ReadColumns(spec.Path, name, spec.Columns);
        if (rows.Count == 0) throw new InvalidDataException($"{name} has no rows.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, _) in rows)
            if (!seen.Add(id)) throw new InvalidDataException($"{name}: id '{id}' has two rows.");
        return rows;
    }

    private static List<(string, string)> ReadColumns(string path, string name, IReadOnlyList<int> columns)
    {
        // UTF-8 unless the bytes are not valid UTF-8 (MovieLens files are Latin-1).
        string[] lines;
        try { lines = File.ReadAllLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true)); }
        catch (DecoderFallbackException) { lines = File.ReadAllLines(path, Encoding.Latin1); }
        var content = lines.Select((text, i) => (Text: text.TrimEnd('\r'), Number: i + 1)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (content.Count == 0) return [];
        char separator = Separators.FirstOrDefault(s => content[0].Text.Contains(s), '\t');
        string[] Split(string text) => text.Split(separator).Select(f => f.Trim()).ToArray();
        // A header is a first line whose id is not an integer while the second line's is.
        bool header = content.Count > 1 && !IsInteger(Split(content[0].Text)[0]) && IsInteger(Split(content[1].Text)[0]);
        var rows = new List<(string, string)>(content.Count);
        foreach (var (text, number) in content.Skip(header ? 1 : 0))
        {
            var fields = Split(text);
            int widest = columns.Max();
            if (fields.Length < widest)
                throw new InvalidDataException($"{name}, line {number}: has {fields.Length} field(s); text column {widest} is missing.");
            rows.Add((fields[0], string.Join(". ", columns.Select(c => fields[c - 1]).Where(f => f.Length > 0))));
        }
        return rows;
    }

    private static bool IsInteger(string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
}

using System.Text;

namespace MLNet.Adversarial.Data;

/// <summary>
/// Reads MovieLens <c>u.item</c> (Latin-1, <c>id|title|release date|video release|IMDb URL|19 genre flags</c>): the titles,
/// and the titles with their genre names as one text per item.
/// </summary>
public static class MovieLensTitles
{
    /// <summary>The 19 genres of MovieLens-100K, in the order of <c>u.item</c>'s flag columns (as listed in <c>u.genre</c>).</summary>
    public static IReadOnlyList<string> Genres { get; } =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    /// <summary>Fields of a <c>u.item</c> line: id, title, two dates, the URL and one flag per genre.</summary>
    public static int FieldCount => 5 + Genres.Count;

    /// <summary>The (id, title) rows of <paramref name="path"/>, in file order.</summary>
    /// <exception cref="InvalidDataException">A non-empty line has no title field.</exception>
    public static IReadOnlyList<(string Id, string Title)> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rows = new List<(string, string)>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.Latin1))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = line.Split('|');
            if (fields.Length < 2) throw new InvalidDataException($"{path}:{lineNumber}: expected 'id|title|...'.");
            rows.Add((fields[0], fields[1]));
        }
        return rows;
    }

    /// <summary>Whether <paramref name="line"/> has the <c>u.item</c> layout: <see cref="FieldCount"/> '|'-separated fields ending in 0/1 genre flags.</summary>
    public static bool IsItemLine(string line)
    {
        var fields = line.Split('|');
        return fields.Length == FieldCount && fields.AsSpan(5).ToArray().All(f => f is "0" or "1");
    }

    /// <summary>
    /// One text per item of <paramref name="path"/>: the title, then its genre names (<c>"Toy Story (1995). Animation,
    /// Children's, Comedy"</c>); the <c>unknown</c> genre is left out.
    /// </summary>
    /// <exception cref="InvalidDataException">A non-empty line does not have the <c>u.item</c> layout; the message names the file and line.</exception>
    public static IReadOnlyList<(string Id, string Text)> ReadTitlesWithGenres(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rows = new List<(string, string)>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.Latin1))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (!IsItemLine(line))
                throw new InvalidDataException($"{Path.GetFileName(path)}, line {lineNumber}: expected the u.item layout (id|title|date|video date|url|{Genres.Count} genre flags).");
            var fields = line.Split('|');
            var genres = Enumerable.Range(1, Genres.Count - 1).Where(g => fields[5 + g] == "1").Select(g => Genres[g]);
            string genreText = string.Join(", ", genres);
            rows.Add((fields[0], genreText.Length == 0 ? fields[1] : $"{fields[1]}. {genreText}"));
        }
        return rows;
    }
}

using System.Text;

namespace MLNet.Adversarial.Data;

/// <summary>Reads item titles from MovieLens <c>u.item</c> (Latin-1, <c>id|title|date|...</c>).</summary>
public static class MovieLensTitles
{
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
}

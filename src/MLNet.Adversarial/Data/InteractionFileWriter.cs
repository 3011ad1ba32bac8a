using System.Globalization;

namespace MLNet.Adversarial.Data;

/// <summary>Writes an <see cref="InteractionTable"/> as the tab-separated <c>user item [rating]</c> file that <see cref="InteractionFileReader"/> reads.</summary>
public static class InteractionFileWriter
{
    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically (a temporary file, then a rename), one row per line, without a header.</summary>
    public static void Write(string path, InteractionTable table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(table);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true) { NewLine = "\n" };
            for (int r = 0; r < table.Count; r++)
            {
                writer.Write(Text(table.Users, r));
                writer.Write('\t');
                writer.Write(Text(table.Items, r));
                if (table.Ratings is { } ratings)
                {
                    writer.Write('\t');
                    writer.Write(ratings[r].ToString("R", CultureInfo.InvariantCulture));
                }
                writer.WriteLine();
            }
        });
    }

    /// <summary>Row <paramref name="row"/> of <paramref name="column"/> as text.</summary>
    internal static string Text(IdColumn column, int row) =>
        column.Kind == IdKind.Int64 ? column.Int64Values[row].ToString(CultureInfo.InvariantCulture) : column.StringValues[row];
}

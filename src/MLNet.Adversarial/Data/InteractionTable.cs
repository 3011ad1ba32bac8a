namespace MLNet.Adversarial.Data;

/// <summary>
/// Raw interaction rows (user id, item id, optional rating) before any id mapping, as read from a file or an
/// <c>IDataView</c>. <see cref="Source"/> names where they came from, for error messages.
/// </summary>
public sealed class InteractionTable
{
    /// <summary>Creates a table; the columns must have the same length.</summary>
    public InteractionTable(IdColumn users, IdColumn items, float[]? ratings = null, string source = "data")
    {
        Users = users ?? throw new ArgumentNullException(nameof(users));
        Items = items ?? throw new ArgumentNullException(nameof(items));
        if (users.Count != items.Count || (ratings is not null && ratings.Length != users.Count))
            throw new ArgumentException("User, item and rating columns must have the same length.");
        Ratings = ratings;
        Source = source;
    }

    /// <summary>User ids, one per row.</summary>
    public IdColumn Users { get; }

    /// <summary>Item ids, one per row.</summary>
    public IdColumn Items { get; }

    /// <summary>Ratings, one per row, or null when every row is an implicit positive.</summary>
    public float[]? Ratings { get; }

    /// <summary>Where the rows came from (a file name or "IDataView").</summary>
    public string Source { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Users.Count;

    /// <summary>Whether row <paramref name="row"/> is a positive under <paramref name="minRating"/> (null: all rows are).</summary>
    public bool IsPositive(int row, float? minRating) =>
        minRating is null || Ratings is null || Ratings[row] >= minRating.Value;

    /// <summary>The rows whose flag in <paramref name="mask"/> equals <paramref name="want"/>, in order, as a table named <paramref name="source"/>.</summary>
    internal InteractionTable Select(bool[] mask, bool want, string source)
    {
        int count = 0;
        foreach (var m in mask) if (m == want) count++;
        var rows = new int[count];
        for (int r = 0, k = 0; r < mask.Length; r++) if (mask[r] == want) rows[k++] = r;
        IdColumn Take(IdColumn column) => column.Kind == IdKind.Int64
            ? IdColumn.OfInt64(Gather(column.Int64Values, rows))
            : IdColumn.OfStrings(Gather(column.StringValues, rows));
        return new InteractionTable(Take(Users), Take(Items), Ratings is null ? null : Gather<float>(Ratings, rows), source);
    }

    private static T[] Gather<T>(ReadOnlySpan<T> values, int[] rows)
    {
        var result = new T[rows.Length];
        for (int k = 0; k < rows.Length; k++) result[k] = values[rows[k]];
        return result;
    }
}

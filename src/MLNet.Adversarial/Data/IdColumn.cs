namespace MLNet.Adversarial.Data;

/// <summary>A column of raw ids as read from a file or an <c>IDataView</c>: integers or text, never mixed.</summary>
public sealed class IdColumn
{
    private IdColumn(long[]? ints, string[]? strings)
    {
        _ints = ints;
        _strings = strings;
    }

    private readonly long[]? _ints;
    private readonly string[]? _strings;

    /// <summary>A column of integer ids.</summary>
    public static IdColumn OfInt64(long[] values) => new(values ?? throw new ArgumentNullException(nameof(values)), null);

    /// <summary>A column of text ids.</summary>
    public static IdColumn OfStrings(string[] values) => new(null, values ?? throw new ArgumentNullException(nameof(values)));

    /// <summary>Integer ids when every value parses as one (so "196" and 196 name the same user), text otherwise.</summary>
    public static IdColumn Parse(IReadOnlyList<string> tokens)
    {
        var ints = new long[tokens.Count];
        for (int i = 0; i < ints.Length; i++)
        {
            if (!long.TryParse(tokens[i], System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out ints[i]))
                return OfStrings(tokens.ToArray());
        }
        return OfInt64(ints);
    }

    /// <summary>Whether the ids are integers or text.</summary>
    public IdKind Kind => _ints is not null ? IdKind.Int64 : IdKind.String;

    /// <summary>Number of values.</summary>
    public int Count => _ints?.Length ?? _strings!.Length;

    /// <summary>The integer values (empty for a text column).</summary>
    public ReadOnlySpan<long> Int64Values => _ints ?? ReadOnlySpan<long>.Empty;

    /// <summary>The text values (empty for an integer column).</summary>
    public ReadOnlySpan<string> StringValues => _strings ?? ReadOnlySpan<string>.Empty;

    /// <summary>This column as text ids (integers formatted invariantly), for joining with a text vocabulary.</summary>
    public IdColumn AsStrings() => _strings is not null ? this
        : OfStrings(Array.ConvertAll(_ints!, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}

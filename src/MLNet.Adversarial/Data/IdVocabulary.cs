using System.Runtime.InteropServices;

namespace MLNet.Adversarial.Data;

/// <summary>The type of the raw ids a vocabulary holds.</summary>
public enum IdKind
{
    /// <summary>Integer ids (any integer column, or a key column mapped from integers).</summary>
    Int64,
    /// <summary>Text ids.</summary>
    String,
}

/// <summary>
/// A bijection between the raw ids of one side of the data (users or items) and dense indices 0..Count-1.
/// Ids are kept sorted (numerically, or ordinally for text), so the index order is the id order: results do
/// not depend on the order of the input rows, and "ties broken by id" is "ties broken by index".
/// </summary>
public sealed class IdVocabulary : IEquatable<IdVocabulary>
{
    private readonly long[]? _int64Ids;
    private readonly string[]? _stringIds;
    private readonly Dictionary<long, int>? _int64Index;
    private readonly Dictionary<string, int>? _stringIndex;

    private IdVocabulary(long[] sortedDistinct)
    {
        Kind = IdKind.Int64;
        _int64Ids = sortedDistinct;
        _int64Index = new Dictionary<long, int>(sortedDistinct.Length);
        for (int i = 0; i < sortedDistinct.Length; i++) _int64Index[sortedDistinct[i]] = i;
    }

    private IdVocabulary(string[] sortedDistinct)
    {
        Kind = IdKind.String;
        _stringIds = sortedDistinct;
        _stringIndex = new Dictionary<string, int>(sortedDistinct.Length, StringComparer.Ordinal);
        for (int i = 0; i < sortedDistinct.Length; i++) _stringIndex[sortedDistinct[i]] = i;
    }

    /// <summary>Builds a vocabulary of the distinct values of <paramref name="ids"/>.</summary>
    public static IdVocabulary FromInt64(IEnumerable<long> ids)
    {
        var distinct = new HashSet<long>(ids).ToArray();
        Array.Sort(distinct);
        return new IdVocabulary(distinct);
    }

    /// <summary>Builds a vocabulary of the distinct values of <paramref name="ids"/>.</summary>
    public static IdVocabulary FromStrings(IEnumerable<string> ids)
    {
        var distinct = new HashSet<string>(ids, StringComparer.Ordinal).ToArray();
        Array.Sort(distinct, StringComparer.Ordinal);
        return new IdVocabulary(distinct);
    }

    /// <summary>Builds the vocabulary of the distinct ids in <paramref name="column"/>.</summary>
    public static IdVocabulary FromColumn(IdColumn column) =>
        column.Kind == IdKind.Int64 ? FromInt64(column.Int64Values.ToArray()) : FromStrings(column.StringValues.ToArray());

    /// <summary>The union of two vocabularies of the same kind.</summary>
    public static IdVocabulary Union(IdVocabulary a, IdVocabulary b)
    {
        if (a.Kind != b.Kind)
            throw new ArgumentException($"Cannot merge {a.Kind} ids with {b.Kind} ids.");
        return a.Kind == IdKind.Int64
            ? FromInt64(a.Int64Ids.ToArray().Concat(b.Int64Ids.ToArray()))
            : FromStrings(a.StringIds.ToArray().Concat(b.StringIds.ToArray()));
    }

    /// <summary>Whether the ids are integers or text.</summary>
    public IdKind Kind { get; }

    /// <summary>Number of distinct ids.</summary>
    public int Count => _int64Ids?.Length ?? _stringIds!.Length;

    /// <summary>The integer ids in index order (empty for a text vocabulary).</summary>
    public ReadOnlySpan<long> Int64Ids => _int64Ids ?? ReadOnlySpan<long>.Empty;

    /// <summary>The text ids in index order (empty for an integer vocabulary).</summary>
    public ReadOnlySpan<string> StringIds => _stringIds ?? ReadOnlySpan<string>.Empty;

    /// <summary>The index of <paramref name="id"/>, or -1 when it is not in the vocabulary.</summary>
    public int IndexOf(long id)
    {
        if (_int64Index is not null) return _int64Index.TryGetValue(id, out var i) ? i : -1;
        return _stringIndex!.TryGetValue(id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var s) ? s : -1;
    }

    /// <summary>The index of <paramref name="id"/>, or -1 when it is not in the vocabulary.</summary>
    public int IndexOf(string id)
    {
        if (_stringIndex is not null) return _stringIndex.TryGetValue(id, out var i) ? i : -1;
        return long.TryParse(id, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && _int64Index!.TryGetValue(n, out var j) ? j : -1;
    }

    /// <summary>The raw id at <paramref name="index"/> as text (for display and files).</summary>
    public string GetIdText(int index) =>
        _int64Ids is not null ? _int64Ids[index].ToString(System.Globalization.CultureInfo.InvariantCulture) : _stringIds![index];

    /// <summary>Maps every value of <paramref name="column"/> to its index (-1 for unknown ids).</summary>
    public int[] MapColumn(IdColumn column)
    {
        var result = new int[column.Count];
        if (column.Kind == IdKind.Int64)
        {
            var values = column.Int64Values;
            for (int i = 0; i < result.Length; i++) result[i] = IndexOf(values[i]);
        }
        else
        {
            var values = column.StringValues;
            for (int i = 0; i < result.Length; i++) result[i] = IndexOf(values[i]);
        }
        return result;
    }

    /// <summary>The index in this vocabulary of entry <paramref name="index"/> of <paramref name="other"/>, or -1.</summary>
    public int IndexOf(IdVocabulary other, int index) =>
        other.Kind == IdKind.Int64 ? IndexOf(other.Int64Ids[index]) : IndexOf(other.StringIds[index]);

    /// <inheritdoc />
    public bool Equals(IdVocabulary? other) =>
        other is not null && other.Kind == Kind &&
        (Kind == IdKind.Int64 ? Int64Ids.SequenceEqual(other.Int64Ids) : StringIds.SequenceEqual(other.StringIds));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as IdVocabulary);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Count);

    internal void WriteTo(BinaryWriter writer)
    {
        writer.Write((byte)Kind);
        writer.Write(Count);
        if (Kind == IdKind.Int64) writer.Write(MemoryMarshal.AsBytes(Int64Ids));
        else foreach (var s in StringIds) writer.Write(s);
    }

    internal static IdVocabulary ReadFrom(BinaryReader reader)
    {
        var kind = (IdKind)reader.ReadByte();
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException("Negative vocabulary size.");
        if (reader.BaseStream.CanSeek && count > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"Vocabulary size {count} exceeds the remaining data (truncated or corrupt).");
        if (kind == IdKind.Int64)
        {
            var ids = new long[count];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
            return new IdVocabulary(ids);
        }
        if (kind != IdKind.String) throw new InvalidDataException($"Unknown id kind {(byte)kind}.");
        var strings = new string[count];
        for (int i = 0; i < count; i++) strings[i] = reader.ReadString();
        return new IdVocabulary(strings);
    }
}

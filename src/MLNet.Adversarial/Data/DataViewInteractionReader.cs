using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Adversarial.Data;

/// <summary>
/// Reads user, item and optional rating columns of an <see cref="IDataView"/> into an <see cref="InteractionTable"/>.
/// Id columns may be key columns (from <c>MapValueToKey</c>: their key values are the raw ids), integer columns,
/// floating-point columns holding whole numbers, or text columns.
/// </summary>
public static class DataViewInteractionReader
{
    /// <summary>Throws an ML.NET-style error when a column is missing or has a type that cannot hold ids.</summary>
    public static void ValidateIdColumn(DataViewSchema schema, string columnName, string role)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(columnName), $"{role} column '{columnName}' not found in the input schema (columns: {string.Join(", ", schema.Select(c => c.Name))}).");
        if (!IsIdType(column.Type))
            throw new ArgumentOutOfRangeException(nameof(columnName), $"{role} column '{columnName}' has type {column.Type}; expected a key, integer, whole-number floating-point or text column.");
        // Without key values a key is only a position: the model could not name its ids, nor serve unseen ones.
        if (column.Type is KeyDataViewType && column.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
            throw new ArgumentOutOfRangeException(nameof(columnName), $"{role} column '{columnName}' is a key column without key values; build it with MapValueToKey, or pass the raw id column.");
    }

    /// <summary>Throws an ML.NET-style error when the rating column is missing or not numeric.</summary>
    public static void ValidateRatingColumn(DataViewSchema schema, string columnName)
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(columnName), $"Rating column '{columnName}' not found in the input schema.");
        if (column.Type != NumberDataViewType.Single && column.Type != NumberDataViewType.Double)
            throw new ArgumentOutOfRangeException(nameof(columnName), $"Rating column '{columnName}' has type {column.Type}; expected Single or Double.");
    }

    internal static bool IsIdType(DataViewType type) =>
        type is KeyDataViewType || type is TextDataViewType || IsIntegerType(type) ||
        type == NumberDataViewType.Single || type == NumberDataViewType.Double;

    private static bool IsIntegerType(DataViewType type) =>
        type == NumberDataViewType.SByte || type == NumberDataViewType.Byte || type == NumberDataViewType.Int16 ||
        type == NumberDataViewType.UInt16 || type == NumberDataViewType.Int32 || type == NumberDataViewType.UInt32 ||
        type == NumberDataViewType.Int64 || type == NumberDataViewType.UInt64;

    /// <summary>Reads the columns; rows with a missing id (key 0, NaN, empty text) or a non-finite rating are errors naming the row.</summary>
    public static InteractionTable Read(IDataView data, string userColumn, string itemColumn, string? ratingColumn, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ValidateIdColumn(data.Schema, userColumn, "User");
        ValidateIdColumn(data.Schema, itemColumn, "Item");
        if (ratingColumn is not null) ValidateRatingColumn(data.Schema, ratingColumn);

        var userCol = data.Schema[userColumn];
        var itemCol = data.Schema[itemColumn];
        var columns = new List<DataViewSchema.Column> { userCol, itemCol };
        if (ratingColumn is not null) columns.Add(data.Schema[ratingColumn]);

        var users = new IdAccumulator(userCol);
        var items = new IdAccumulator(itemCol);
        var ratings = ratingColumn is null ? null : new List<float>();
        using (var cursor = data.GetRowCursor(columns))
        {
            var readUser = users.Bind(cursor);
            var readItem = items.Bind(cursor);
            Func<float>? readRating = null;
            if (ratingColumn is not null)
            {
                var col = data.Schema[ratingColumn];
                if (col.Type == NumberDataViewType.Single)
                {
                    var g = cursor.GetGetter<float>(col);
                    readRating = () => { float v = 0; g(ref v); return v; };
                }
                else
                {
                    var g = cursor.GetGetter<double>(col);
                    readRating = () => { double v = 0; g(ref v); return (float)v; };
                }
            }
            long row = 0;
            while (cursor.MoveNext())
            {
                if ((row & 0xFFFF) == 0) cancellation.ThrowIfCancellationRequested();
                readUser(row);
                readItem(row);
                if (readRating is not null)
                {
                    var r = readRating();
                    if (!float.IsFinite(r)) throw new InvalidDataException($"Rating column '{ratingColumn}', row {row}: rating {r} is not a finite number.");
                    ratings!.Add(r);
                }
                row++;
            }
        }
        if (users.Count == 0) throw new ArgumentException("The training data has no rows.", nameof(data));
        return new InteractionTable(users.ToColumn(), items.ToColumn(), ratings?.ToArray(), "IDataView");
    }

    /// <summary>Reads one id column (key, integer, whole-number floating-point or text) in row order; <paramref name="role"/> names it in errors.</summary>
    public static IdColumn ReadIds(IDataView data, string columnName, string role)
    {
        ArgumentNullException.ThrowIfNull(data);
        ValidateIdColumn(data.Schema, columnName, role);
        var column = data.Schema[columnName];
        var ids = new IdAccumulator(column);
        using var cursor = data.GetRowCursor([column]);
        var read = ids.Bind(cursor);
        for (long row = 0; cursor.MoveNext(); row++) read(row);
        return ids.ToColumn();
    }

    /// <summary>
    /// The raw id each key of a key column stands for (entry k-1 for key k), from its KeyValues annotation;
    /// null when the column has no annotation.
    /// </summary>
    internal static IdColumn? KeyValueIds(DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType || column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { } kv) return null;
        var (ints, texts) = ReadKeyValues(column, kv.Type);
        return ints is not null ? IdColumn.OfInt64(ints) : IdColumn.OfStrings(texts!);
    }

private static (long[]?, string[]?) ReadKeyValues(DataViewSchema.Column column, DataViewType valuesType)
    {
        var itemType = valuesType is VectorDataViewType vector ? vector.ItemType : valuesType;
        if (itemType is TextDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.GetKeyValues(ref values);
            var texts = values.DenseValues().Select(v => v.ToString()).ToArray();
            // Keys mapped from numbers that were read as text still name integer ids.
            var asInts = new long[texts.Length];
            bool allInts = texts.All((s, i) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out asInts[i]));
            return allInts ? (asInts, null) : (null, texts);
        }
        if (itemType == NumberDataViewType.Single)
        {
            VBuffer<float> values = default;
            column.GetKeyValues(ref values);
            return (values.DenseValues().Select((v, i) => IdAccumulator.ToWholeNumber(v, column.Name + " key values", i)).ToArray(), null);
        }
        if (itemType == NumberDataViewType.Double)
        {
            VBuffer<double> values = default;
            column.GetKeyValues(ref values);
            return (values.DenseValues().Select((v, i) => IdAccumulator.ToWholeNumber(v, column.Name + " key values", i)).ToArray(), null);
        }
        throw new ArgumentOutOfRangeException(nameof(column), $"Key column '{column.Name}' has key values of type {itemType}; expected text or numbers.");
    }

    /// <summary>Collects one id column, converting every supported type to int64 or text ids.</summary>
    private sealed class IdAccumulator
    {
        private readonly DataViewSchema.Column _column;
        private readonly List<long> _ints = new();
        private readonly List<string> _strings = new();
        private readonly string[]? _keyTexts;
        private readonly long[]? _keyInts;

        public IdAccumulator(DataViewSchema.Column column)
        {
            _column = column;
            if (column.Type is KeyDataViewType && column.Annotations.Schema.GetColumnOrNull("KeyValues") is { } kv)
                (_keyInts, _keyTexts) = ReadKeyValues(column, kv.Type);
        }

        public bool IsText => _strings.Count > 0 || _keyTexts is not null || _column.Type is TextDataViewType;

        public int Count => IsText ? _strings.Count : _ints.Count;

        public IdColumn ToColumn() => IsText ? IdColumn.OfStrings(_strings.ToArray()) : IdColumn.OfInt64(_ints.ToArray());

        public Action<long> Bind(DataViewRowCursor cursor)
        {
            var type = _column.Type;
            string name = _column.Name;
            if (type is KeyDataViewType)
            {
                var g = cursor.GetGetter<uint>(_column);
                return row =>
                {
                    uint key = 0; g(ref key);
                    if (key == 0) throw new InvalidDataException($"Column '{name}', row {row}: missing key value (the id was not in the key mapping).");
                    if (_keyTexts is not null) _strings.Add(_keyTexts[key - 1]);
                    else _ints.Add(_keyInts![key - 1]);
                };
            }
            if (type is TextDataViewType)
            {
                var g = cursor.GetGetter<ReadOnlyMemory<char>>(_column);
                return row =>
                {
                    ReadOnlyMemory<char> v = default; g(ref v);
                    var s = v.Span.Trim();
                    if (s.IsEmpty) throw new InvalidDataException($"Column '{name}', row {row}: empty id.");
                    _strings.Add(s.ToString());
                };
            }
            if (type == NumberDataViewType.Single || type == NumberDataViewType.Double)
            {
                Func<double> read;
                if (type == NumberDataViewType.Single) { var g = cursor.GetGetter<float>(_column); read = () => { float v = 0; g(ref v); return v; }; }
                else { var g = cursor.GetGetter<double>(_column); read = () => { double v = 0; g(ref v); return v; }; }
                return row => _ints.Add(ToWholeNumber(read(), name, row));
            }
            if (type == NumberDataViewType.UInt64)
            {
                var g = cursor.GetGetter<ulong>(_column);
                return row =>
                {
                    ulong v = 0; g(ref v);
                    if (v > long.MaxValue) throw new InvalidDataException($"Column '{name}', row {row}: id {v} exceeds the largest supported id {long.MaxValue}.");
                    _ints.Add((long)v);
                };
            }
            var toLong = IntegerGetter(cursor, _column);
            return row => _ints.Add(toLong());
        }

        internal static long ToWholeNumber(double v, string column, long row)
        {
            if (double.IsNaN(v)) throw new InvalidDataException($"Column '{column}', row {row}: id is NaN.");
            if (double.IsInfinity(v) || v != Math.Floor(v) || Math.Abs(v) > 9.007199254740992E15)
                throw new InvalidDataException($"Column '{column}', row {row}: id {v.ToString(CultureInfo.InvariantCulture)} is not a whole number.");
            return (long)v;
        }

        private static Func<long> IntegerGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            var t = column.Type;
            if (t == NumberDataViewType.Int32) { var g = cursor.GetGetter<int>(column); return () => { int v = 0; g(ref v); return v; }; }
            if (t == NumberDataViewType.Int64) { var g = cursor.GetGetter<long>(column); return () => { long v = 0; g(ref v); return v; }; }
            if (t == NumberDataViewType.UInt32) { var g = cursor.GetGetter<uint>(column); return () => { uint v = 0; g(ref v); return v; }; }
            if (t == NumberDataViewType.Int16) { var g = cursor.GetGetter<short>(column); return () => { short v = 0; g(ref v); return v; }; }
            if (t == NumberDataViewType.UInt16) { var g = cursor.GetGetter<ushort>(column); return () => { ushort v = 0; g(ref v); return v; }; }
            if (t == NumberDataViewType.SByte) { var g = cursor.GetGetter<sbyte>(column); return () => { sbyte v = 0; g(ref v); return v; }; }
            var gb = cursor.GetGetter<byte>(column); return () => { byte v = 0; gb(ref v); return v; };
        }

    }
}

file static class LinqExtensions
{
    public static bool All<T>(this T[] source, Func<T, int, bool> predicate)
    {
        for (int i = 0; i < source.Length; i++) if (!predicate(source[i], i)) return false;
        return true;
    }
}

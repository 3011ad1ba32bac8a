using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Adversarial.Data;

/// <summary>
/// An <see cref="IDataView"/> over an <see cref="InteractionTable"/>'s arrays, with columns UserId, ItemId (Int64 or
/// String, as in the table) and Rating (Single, when the table has ratings). Rows are served straight from the
/// arrays: nothing is copied into per-row objects.
/// </summary>
public sealed class InteractionDataView : IDataView
{
    /// <summary>Column names of the view.</summary>
    public static class Columns
    {
        /// <summary>User ids.</summary>
        public const string User = "UserId";
        /// <summary>Item ids.</summary>
        public const string Item = "ItemId";
        /// <summary>Ratings; absent when the table has none.</summary>
        public const string Rating = "Rating";
    }

    private readonly InteractionTable _table;

    /// <summary>Wraps <paramref name="table"/>.</summary>
    public InteractionDataView(InteractionTable table)
    {
        _table = table ?? throw new ArgumentNullException(nameof(table));
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(Columns.User, IdType(table.Users));
        builder.AddColumn(Columns.Item, IdType(table.Items));
        if (table.Ratings is not null) builder.AddColumn(Columns.Rating, NumberDataViewType.Single);
        Schema = builder.ToSchema();
    }

    private static DataViewType IdType(IdColumn ids) => ids.Kind == IdKind.Int64 ? NumberDataViewType.Int64 : TextDataViewType.Instance;

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public long? GetRowCount() => _table.Count;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(InteractionDataView parent) : DataViewRowCursor
    {
        private long _position = -1;

        public override long Position => _position;
        public override long Batch => 0;
        public override DataViewSchema Schema => parent.Schema;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override bool MoveNext() => ++_position < parent._table.Count;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var table = parent._table;
            Delegate getter = column.Name switch
            {
                Columns.User => IdGetter(table.Users),
                Columns.Item => IdGetter(table.Items),
                Columns.Rating => (ValueGetter<float>)((ref float v) => v = table.Ratings![_position]),
                _ => throw new ArgumentOutOfRangeException(nameof(column), $"Unknown column '{column.Name}'."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        private Delegate IdGetter(IdColumn ids) => ids.Kind == IdKind.Int64
            ? (ValueGetter<long>)((ref long v) => v = ids.Int64Values[(int)_position])
            : (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = ids.StringValues[(int)_position].AsMemory());
    }
}

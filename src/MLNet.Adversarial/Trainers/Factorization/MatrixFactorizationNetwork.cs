using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// The TorchSharp module behind the factorisation trainers: user and item embedding tables and an item bias,
/// score(u, i) = p_u · q_i + b_i, plus the row-sparse optimiser state. A batch gathers the rows it needs into
/// leaf tensors (<see cref="Gather"/>), autograd differentiates the loss with respect to those rows only, and
/// <see cref="Step(Batch, bool, Scalar)"/> writes the updated rows back. With text (the hybrid model), each item vector is
/// q_i + (t_i − c)·W and each user vector optionally p_u + (s_u − c)·V: the batch's effective vectors add the projected
/// text of its rows to the leaves, and the projections are trained alongside.
/// </summary>
internal sealed class MatrixFactorizationNetwork : nn.Module
{
    private readonly Tensor _users, _items, _itemBias;
    private readonly Tensor _usersFirst, _usersSecond, _itemsFirst, _itemsSecond, _biasFirst, _biasSecond, _step;
    private readonly RowSparseOptimizer _optimizer;
    private readonly Scalar _one = TensorArithmetic.One; // held alpha (see TensorArithmetic)
    private readonly TextProjectionLayer? _itemText, _userText;

    public MatrixFactorizationNetwork(int userCount, int itemCount, int dimension, double initStd, Random rng, OptimizerKind optimizer, double learningRate, Device device,
        TrainingText? text = null)
        : base(nameof(MatrixFactorizationNetwork))
    {
        // Initialised from the trainer's own seeded RNG (not torch's global one) so runs are reproducible.
        _users = torch.tensor(Gaussian(rng, userCount * dimension, initStd), [userCount, dimension], device: device);
        _items = torch.tensor(Gaussian(rng, itemCount * dimension, initStd), [itemCount, dimension], device: device);
        _itemBias = torch.zeros(itemCount, device: device);
        (_usersFirst, _usersSecond) = RowSparseOptimizer.CreateState(optimizer, _users);
        (_itemsFirst, _itemsSecond) = RowSparseOptimizer.CreateState(optimizer, _items);
        (_biasFirst, _biasSecond) = RowSparseOptimizer.CreateState(optimizer, _itemBias);
        _step = torch.zeros(1, ScalarType.Int64); // stays on the CPU: read every step
        register_buffer("users", _users);
        register_buffer("items", _items);
        register_buffer("item_bias", _itemBias);
        register_buffer("users_state1", _usersFirst);
        register_buffer("users_state2", _usersSecond);
        register_buffer("items_state1", _itemsFirst);
        register_buffer("items_state2", _itemsSecond);
        register_buffer("item_bias_state1", _biasFirst);
        register_buffer("item_bias_state2", _biasSecond);
        register_buffer("step", _step);
        _optimizer = new RowSparseOptimizer(optimizer, learningRate, _step);
        if (text is not null)
        {
            // Registered only for the hybrid model, so id-only checkpoints keep exactly their former contents.
            _itemText = RegisterText("item_text", text.Items, text.ItemDimension, dimension, optimizer, device);
            if (text.Users is not null) _userText = RegisterText("user_text", text.Users, text.UserDimension, dimension, optimizer, device);
        }
        UserCount = userCount;
        ItemCount = itemCount;
        Dimension = dimension;
    }

    private TextProjectionLayer RegisterText(string name, float[] centred, int textDimension, int dimension, OptimizerKind optimizer, Device device)
    {
        var layer = new TextProjectionLayer(centred, textDimension, dimension, optimizer, device);
        register_buffer($"{name}_projection", layer.Weights);
        register_buffer($"{name}_projection_state1", layer.First);
        register_buffer($"{name}_projection_state2", layer.Second);
        return layer;
    }

    public int UserCount { get; }
    public int ItemCount { get; }
    public int Dimension { get; }

    /// <summary>
    /// One batch: the distinct rows it touches, and per-pair copies of the embeddings that are the autograd leaves.
    /// Gradients stop at the per-pair copies and are summed into the distinct rows with one <c>index_add_</c>
    /// each: libtorch's backward of a gather with repeated indices is several times slower.
    /// </summary>
    public sealed class Batch
    {
        public required Tensor UserRows, UserInverse, ItemRows, PositiveInverse, NegativeInverse;
        public required Tensor Pu, Qi, Qj, Bi, Bj;

        /// <summary>
        /// The vectors the score uses: the leaves themselves for the id-only model; with text, the leaves plus the
        /// projected text of each pair's row (so the loss, and APR's perturbation, act on the sum).
        /// </summary>
        public required Tensor UserVectors, PositiveVectors, NegativeVectors;

        /// <summary>The per-pair leaves, whose gradients the step reads.</summary>
        public IEnumerable<Tensor> Leaves => [Pu, Qi, Qj, Bi, Bj];
    }

    /// <summary>
    /// Gathers per-pair leaves for the users, positives and negatives (<paramref name="itemInverse"/> holds the
    /// positives' slots followed by the negatives' slots into <paramref name="itemRows"/>).
    /// </summary>
    public Batch Gather(Tensor userRows, Tensor userInverse, Tensor itemRows, Tensor itemInverse)
    {
        long n = userInverse.shape[0];
        var positiveInverse = itemInverse.narrow(0, 0, n);
        var negativeInverse = itemInverse.narrow(0, n, n);
        var positives = itemRows.index_select(0, positiveInverse);
        var negatives = itemRows.index_select(0, negativeInverse);
        var pu = _users.index_select(0, userRows.index_select(0, userInverse)).requires_grad_();
        var qi = _items.index_select(0, positives).requires_grad_();
        var qj = _items.index_select(0, negatives).requires_grad_();
        Tensor userVectors = pu, positiveVectors = qi, negativeVectors = qj;
        if (_itemText is not null)
        {
            // Projected once per distinct row, then spread to the pairs.
            var projected = _itemText.Project(itemRows);
            positiveVectors = qi.Plus(projected.index_select(0, positiveInverse));
            negativeVectors = qj.Plus(projected.index_select(0, negativeInverse));
        }
        if (_userText is not null) userVectors = pu.Plus(_userText.Project(userRows).index_select(0, userInverse));
        return new Batch
        {
            UserRows = userRows, UserInverse = userInverse, ItemRows = itemRows, PositiveInverse = positiveInverse, NegativeInverse = negativeInverse,
            Pu = pu, Qi = qi, Qj = qj,
            Bi = _itemBias.index_select(0, positives).requires_grad_(),
            Bj = _itemBias.index_select(0, negatives).requires_grad_(),
            UserVectors = userVectors, PositiveVectors = positiveVectors, NegativeVectors = negativeVectors,
        };
    }

    /// <summary>
    /// Applies the optimiser to the rows of <paramref name="batch"/> after the loss's backward pass, and to the text
    /// projections with their L2 term (<paramref name="textL2Twice"/> = 2λ_W, null for none).
    /// </summary>
    public void Step(Batch batch, bool updateBias, Scalar? textL2Twice = null)
    {
        using var scope = torch.NewDisposeScope();
        _optimizer.BeginStep();
        _optimizer.Update(_users, _usersFirst, _usersSecond, batch.UserRows, RowGradient(batch.UserRows, (batch.UserInverse, batch.Pu.grad!)));
        _optimizer.Update(_items, _itemsFirst, _itemsSecond, batch.ItemRows,
            RowGradient(batch.ItemRows, (batch.PositiveInverse, batch.Qi.grad!), (batch.NegativeInverse, batch.Qj.grad!)));
        if (updateBias)
            _optimizer.Update(_itemBias, _biasFirst, _biasSecond, batch.ItemRows,
                RowGradient(batch.ItemRows, (batch.PositiveInverse, batch.Bi.grad!), (batch.NegativeInverse, batch.Bj.grad!)));
        _itemText?.Step(_optimizer, textL2Twice);
        _userText?.Step(_optimizer, textL2Twice);
    }

    /// <summary>Sums per-pair gradients into one gradient row per distinct row.</summary>
    private Tensor RowGradient(Tensor rows, params (Tensor Inverse, Tensor Grad)[] parts)
    {
        var shape = parts[0].Grad.shape.ToArray();
        shape[0] = rows.shape[0];
        var grad = torch.zeros(shape, device: parts[0].Grad.device);
        foreach (var (inverse, perPair) in parts) grad.index_add_(0, inverse, perPair, _one);
        return grad;
    }

    /// <summary>
    /// The L2 penalty λ·Σ‖row‖²/B over the rows of each pair, added to the leaves' gradients directly (2λ/B · row):
    /// it needs no graph, and leaving it out of autograd makes the backward pass markedly cheaper.
    /// </summary>
    public static void AddL2Gradient(Batch batch, double l2)
    {
        if (l2 <= 0) return;
        using var noGrad = torch.no_grad();
        using var scale = (2 * l2 / batch.Pu.shape[0]).ToScalar();
        foreach (var leaf in batch.Leaves) leaf.grad?.add_(leaf.detach(), alpha: scale); // no grad: the bias, when UseItemBias is off
    }

    /// <summary>
    /// A batch of users against the whole catalogue, for list-wise losses (a softmax over every item): leaves for the
    /// distinct user rows and for the full item table and bias.
    /// </summary>
    public sealed class CatalogueBatch
    {
        public required Tensor UserRows, Pu, Q, Bias;
        internal required Scalar One;

        /// <summary>Scores [users, items] of the batch's users for every item, with gradients to the leaves.</summary>
        public Tensor Scores() => Pu.matmul(Q.t()).add(Bias, One); // a held alpha: Tensor + Tensor makes a temporary Scalar
    }

    /// <summary>Gathers <paramref name="userRows"/> (distinct) and the whole item table as leaves.</summary>
    public CatalogueBatch GatherCatalogue(Tensor userRows) => new()
    {
        UserRows = userRows,
        Pu = _users.index_select(0, userRows).requires_grad_(),
        Q = _items.detach().clone().requires_grad_(),
        Bias = _itemBias.detach().clone().requires_grad_(),
        One = _one,
    };

    /// <summary>Applies the optimiser to the users of <paramref name="batch"/> and to every item, after the loss's backward pass.</summary>
    public void Step(CatalogueBatch batch, bool updateBias)
    {
        // Made outside any dispose scope: it lives as long as the network.
        _allItems ??= torch.tensor(Enumerable.Range(0, ItemCount).Select(i => (long)i).ToArray(), device: _items.device).DetachFromDisposeScope();
        using var scope = torch.NewDisposeScope();
        _optimizer.BeginStep();
        _optimizer.Update(_users, _usersFirst, _usersSecond, batch.UserRows, batch.Pu.grad!);
        _optimizer.Update(_items, _itemsFirst, _itemsSecond, _allItems, batch.Q.grad!);
        if (updateBias) _optimizer.Update(_itemBias, _biasFirst, _biasSecond, _allItems, batch.Bias.grad!);
    }

    private Tensor? _allItems;

    /// <summary>Scores [users, items] of <paramref name="users"/> for every item, without gradients.</summary>
    public Tensor ScoreCatalogue(Tensor users)
    {
        using var noGrad = torch.no_grad();
        return _users.index_select(0, users).matmul(_items.t()).add_(_itemBias, _one);
    }

    /// <summary>Overwrites the weights with those of <paramref name="model"/> (same vocabularies and dimension); the optimiser state is left as it is.</summary>
    public void LoadWeights(FactorizationModel model)
    {
        if (model.Users.Count != UserCount || model.Items.Count != ItemCount || model.Dimension != Dimension)
            throw new ArgumentException($"The model has {model.Users.Count} users, {model.Items.Count} items and dimension {model.Dimension}; " +
                $"the network has {UserCount}, {ItemCount} and {Dimension}.", nameof(model));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _users.copy_(torch.tensor(model.UserFactors, [UserCount, Dimension]));
        _items.copy_(torch.tensor(model.ItemFactors, [ItemCount, Dimension]));
        _itemBias.copy_(torch.tensor(model.ItemBias));
    }

    /// <summary>Overwrites the id weights and, for a hybrid model, the text projections with those of <paramref name="model"/>.</summary>
    public void LoadWeights(IRecommenderModel model)
    {
        switch (model)
        {
            case FactorizationModel factors:
                LoadWeights(factors);
                break;
            case HybridFactorizationModel hybrid when _itemText is not null && (hybrid.UserText is null) == (_userText is null):
                LoadWeights(hybrid.IdFactors);
                _itemText.LoadWeights(hybrid.ItemText.Weights);
                if (hybrid.UserText is { } userText) _userText!.LoadWeights(userText.Weights);
                break;
            default:
                throw new ArgumentException($"A {model.GetType().Name} does not fit this network.", nameof(model));
        }
    }

    /// <summary>
    /// Takes the optimiser state (moments or accumulators, and the step count) of <paramref name="source"/>, a network
    /// over other vocabularies: row r of this one gets row <paramref name="userRows"/>[r] (<paramref name="itemRows"/>[r])
    /// of the source, or keeps its fresh state where that is -1 (a user or item the source never had). The weights are left as they are.
    /// </summary>
    public void LoadOptimizerState(MatrixFactorizationNetwork source, int[] userRows, int[] itemRows)
    {
        if (userRows.Length != UserCount || itemRows.Length != ItemCount) throw new ArgumentException("One source row per user and per item is needed.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        void Copy(Tensor target, Tensor from, int[] rows)
        {
            if (target.shape[0] != rows.Length) { target.copy_(from); return; } // a scalar state (Adagrad's unused second slot)
            var mapped = Enumerable.Range(0, rows.Length).Where(r => rows[r] >= 0).ToArray();
            if (mapped.Length == 0) return;
            var to = torch.tensor(mapped.Select(r => (long)r).ToArray(), device: target.device);
            var at = torch.tensor(mapped.Select(r => (long)rows[r]).ToArray(), device: from.device);
            target.index_copy_(0, to, from.index_select(0, at));
        }
        Copy(_usersFirst, source._usersFirst, userRows);
        Copy(_usersSecond, source._usersSecond, userRows);
        Copy(_itemsFirst, source._itemsFirst, itemRows);
        Copy(_itemsSecond, source._itemsSecond, itemRows);
        Copy(_biasFirst, source._biasFirst, itemRows);
        Copy(_biasSecond, source._biasSecond, itemRows);
        _step.copy_(source._step);
    }

    /// <summary>Adds <paramref name="delta"/> [rows, d] to the (distinct) user rows <paramref name="rows"/>, outside the optimiser.</summary>
    public void AddToUserRows(Tensor rows, Tensor delta)
    {
        using var noGrad = torch.no_grad();
        _users.index_add_(0, rows, delta, 1.0);
    }

    /// <summary>A detached copy of the user rows <paramref name="rows"/>.</summary>
    public Tensor UserRows(Tensor rows)
    {
        using var noGrad = torch.no_grad();
        return _users.index_select(0, rows);
    }

    /// <summary>Scores of <paramref name="candidates"/> [B,S] for <paramref name="users"/> [B], without gradients.</summary>
    public Tensor ScoreCandidates(Tensor users, Tensor candidates)
    {
        using var noGrad = torch.no_grad();
        var p = _users.index_select(0, users);
        if (_userText is not null) p = p.Plus(_userText.ProjectConstant(users));
        p = p.unsqueeze(1);
        var flat = candidates.reshape(-1);
        var q = _items.index_select(0, flat);
        if (_itemText is not null) q = q.Plus(_itemText.ProjectConstant(flat));
        q = q.reshape(candidates.shape[0], candidates.shape[1], -1);
        return (p * q).sum(-1).add_(_itemBias.index_select(0, flat).reshape(candidates.shape), _one); // held alpha: see RowSparseOptimizer
    }

    /// <summary>The item text projection W, row-major [text dimension, k] (the hybrid model only).</summary>
    public float[] ItemTextWeights() => _itemText!.WeightsArray();

    /// <summary>The user text projection V, row-major [text dimension, k], when users have text.</summary>
    public float[]? UserTextWeights() => _userText?.WeightsArray();

    /// <summary>Copies the current id weights into a plain <see cref="FactorizationModel"/> (the text parts are not included).</summary>
    public FactorizationModel Snapshot(IdVocabulary users, IdVocabulary items)
    {
        using var _ = torch.NewDisposeScope();
        return new FactorizationModel(users, items, Dimension,
            _users.cpu().data<float>().ToArray(), _items.cpu().data<float>().ToArray(), _itemBias.cpu().data<float>().ToArray());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _itemText?.Dispose();
            _userText?.Dispose();
        }
        base.Dispose(disposing);
    }

    private static float[] Gaussian(Random rng, int count, double std)
    {
        var values = new float[count];
        for (int i = 0; i < count; i += 2)
        {
            // Box–Muller: two normals from two uniforms.
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)) * std;
            values[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < count) values[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return values;
    }
}

using System.Numerics.Tensors;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Evaluation;

/// <summary>
/// Scores an evaluation catalogue with a <see cref="FactorizationModel"/> whose vocabularies may differ from it:
/// users and items the model lacks get the model's fallback rows, exactly as <c>model.Score(u, -1)</c> would.
/// </summary>
public sealed class FactorizationModelScorer : IItemScorer
{
    private readonly FactorizationModel _model;
    private readonly int[] _userMap;
    private readonly int[] _itemMap;
    private readonly bool _sameItems;

    /// <summary>Adapts <paramref name="model"/> to the evaluation vocabularies <paramref name="users"/> and <paramref name="items"/>.</summary>
    public FactorizationModelScorer(FactorizationModel model, IdVocabulary users, IdVocabulary items)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        _userMap = RecommenderModelScorer.Map(model.Users, users);
        _itemMap = RecommenderModelScorer.Map(model.Items, items);
        _sameItems = model.Items.Equals(items);
    }

    /// <inheritdoc />
    public int ItemCount => _itemMap.Length;

    /// <inheritdoc />
    public void ScoreAllItems(int user, Span<float> scores)
    {
        if (scores.Length != _itemMap.Length) throw new ArgumentException($"Expected a buffer of {_itemMap.Length} scores.", nameof(scores));
        int modelUser = _userMap[user];
        if (_sameItems)
        {
            _model.ScoreAllItems(modelUser, scores);
            return;
        }
        var p = _model.UserVector(modelUser);
        for (int i = 0; i < scores.Length; i++)
        {
            int item = _itemMap[i];
            scores[i] = TensorPrimitives.Dot(p, _model.ItemVector(item)) + (item < 0 ? _model.FallbackItemBias : _model.ItemBias[item]);
        }
    }
}

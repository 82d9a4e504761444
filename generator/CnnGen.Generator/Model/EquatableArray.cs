using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace CnnGen.Generator.Model
{
    /// <summary>An immutable array compared by value, so pipeline models cache (as NetEscapades.EnumGenerators' EquatableArray).</summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
        where T : IEquatable<T>
    {
        private readonly T[]? _items;

        public EquatableArray(T[] items) => _items = items;

        public EquatableArray(ImmutableArray<T> items) => _items = items.IsDefault ? null : items.ToArray();

        public int Count => _items?.Length ?? 0;

        public T this[int index] => _items![index];

        public ReadOnlySpan<T> AsSpan() => _items.AsSpan();

        public bool Equals(EquatableArray<T> other) => AsSpan().SequenceEqual(other.AsSpan());

        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            int hash = 17;
            if (_items is not null)
            {
                foreach (T item in _items)
                {
                    hash = unchecked((hash * 31) + (item?.GetHashCode() ?? 0));
                }
            }

            return hash;
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
    }
}

#pragma once

// The exact-match table of a device: query text -> Rule, looked up once per query. Open addressing
// with linear probing in a power-of-two table at most half full, each slot keeping its key's hash
// so that a probe compares bytes only when the hashes agree. Keys are views of strings the owner
// keeps alive. Built at load, read on the hot path; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace oneline::device {

template <typename Value>
class ExactTable {
public:
    /// The value for `key`, or nullptr.
    const Value* find(std::string_view key) const {
        if (slots_.empty()) {
            return nullptr;
        }
        const std::uint64_t hash = hash_of(key);
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (!slot.used) {
                return nullptr;
            }
            if (slot.hash == hash && slot.key == key) {
                return &slot.value;
            }
        }
    }
    Value* find(std::string_view key) { return const_cast<Value*>(static_cast<const ExactTable&>(*this).find(key)); }

    /// Adds `key` -> `value` unless `key` is there; returns the value held for `key`.
    Value& insert(std::string_view key, const Value& value) {
        if (Value* found = find(key)) {
            return *found;
        }
        if ((size_ + 1) * 2 > slots_.size()) {
            grow();
        }
        Slot& slot = place(hash_of(key));
        slot = Slot{key, hash_of(key), value, true};
        ++size_;
        return slot.value;
    }

    std::size_t size() const { return size_; }

private:
    struct Slot {
        std::string_view key;
        std::uint64_t hash = 0;
        Value value{};
        bool used = false;
    };

    // FNV-1a, 64 bits: queries are short, and it needs no setup.
    static std::uint64_t hash_of(std::string_view key) {
        std::uint64_t hash = 14695981039346656037ULL;
        for (const char c : key) {
            hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        return hash ^ (hash >> 29);
    }

    Slot& place(std::uint64_t hash) {
        std::size_t i = hash & mask_;
        while (slots_[i].used) {
            i = (i + 1) & mask_;
        }
        return slots_[i];
    }

    void grow() {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{});
        mask_ = slots_.size() - 1;
        for (const Slot& slot : old) {
            if (slot.used) {
                place(slot.hash) = slot;
            }
        }
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace oneline::device
